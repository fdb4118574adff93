using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// The rollout's clients by name key (<see cref="Client.KeyOf(string)"/>, the unique index's definition), as the name
/// rule looks them up. Each name is kept as stored, its characters packed into shared blocks (<see cref="CharBlocks"/>),
/// with its client's id and inventory in one array of numbers: 1,200,000 names of 10 characters cost 58 MB here against
/// 108 MB as a dictionary of strings (measured alone), and the garbage collector sees a few dozen objects instead of a
/// million. A check of 100,000
/// rows loads every name of the rollout once, so this is most of what an import holds beside its rows.
/// </summary>
internal sealed class ExistingNames
{
    private const double MaxLoad = 0.7;
    private const int StackLimit = 512;

    private readonly CharBlocks _chars = new();
    private Entry[] _entries;
    private Users[]? _users;
    private int[] _table;
    private int _count;

    // Built on the first name with a lost letter (decision 0184): the inventory's names holding a non-ASCII letter, by
    // their key with each such letter written "?", as Excel's single-byte CSV writes it.
    private Dictionary<string, List<int>>? _lostLetterKeys;
    private int _lostLetterInventory;

    /// <param name="expectedCount">How many clients the rollout has: the arrays are made big enough once.</param>
    /// <param name="keepUsers">Whether each client's assignee and client user are kept too (8 bytes a client), for an
    /// import that updates clients and maps a user column.</param>
    public ExistingNames(int expectedCount = 0, bool keepUsers = false)
    {
        _entries = new Entry[Math.Max(expectedCount, 16)];
        _users = keepUsers ? new Users[_entries.Length] : null;
        _table = new int[CapacityFor(_entries.Length)];
    }

    public int Count => _count;

    /// <summary>Whether the clients' assignees and client users are kept (<see cref="ExistingClient.AssigneeId"/>).</summary>
    public bool KeepsUsers => _users is not null;

    /// <summary>Adds a client; a second name with the same key is ignored (the unique index allows none).</summary>
    public bool TryAdd(int id, int inventoryId, ReadOnlySpan<char> name) => TryAdd(id, inventoryId, name, null, null);

    /// <summary>Adds a client with its assignee and client user (kept when <see cref="KeepsUsers"/>).</summary>
    public bool TryAdd(int id, int inventoryId, ReadOnlySpan<char> name, int? assigneeId, int? clientUserId)
    {
        var buffer = name.Length <= StackLimit ? stackalloc char[name.Length] : new char[name.Length];
        // A name stored before names were kept as seen may hold invisible or uncomposed characters: its key is shorter.
        ReadOnlySpan<char> key = buffer[..Client.KeyOf(name, buffer)];
        var hash = string.GetHashCode(key);
        var index = Find(key, hash);
        if (_table[index] != 0)
        {
            return false;
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
            if (_users is not null)
            {
                Array.Resize(ref _users, _entries.Length);
            }
        }

        var (block, offset) = _chars.Append(name);
        _entries[_count] = new Entry(hash, id, inventoryId, offset, block, (ushort)name.Length);
        if (_users is not null)
        {
            _users[_count] = new Users(assigneeId ?? 0, clientUserId ?? 0);
        }

        _table[index] = ++_count;
        if (_count > _table.Length * MaxLoad)
        {
            Grow();
        }

        return true;
    }

    /// <summary>The client whose name has <paramref name="key"/> (a <see cref="Client.KeyOf(string)"/>), with its name as stored.</summary>
    public bool TryGetValue(ReadOnlySpan<char> key, out ExistingClient client)
    {
        var slot = _table[Find(key, string.GetHashCode(key))];
        if (slot == 0)
        {
            client = default;
            return false;
        }

        ref var entry = ref _entries[slot - 1];
        var name = _chars.Get(entry.Block, entry.Offset, entry.Length).ToString();
        if (_users is null)
        {
            client = new ExistingClient(entry.Id, entry.InventoryId, name);
            return true;
        }

        var users = _users[slot - 1];
        client = new ExistingClient(entry.Id, entry.InventoryId, name,
            users.Assignee == 0 ? null : users.Assignee, users.ClientUser == 0 ? null : users.ClientUser);
        return true;
    }

    /// <summary>
    /// The client of <paramref name="inventoryId"/> whose name <paramref name="key"/> (a <see cref="Client.KeyOf(string)"/>
    /// holding "?") probably is: its key with each "?" standing for one non-ASCII letter (a letter beyond U+FFFF as two),
    /// every other character the same (decision 0184). The first client added, should several match. The index of such
    /// names is built on the first call, one pass over the names added; a check of a file without "?" never builds it.
    /// </summary>
    public bool TryGetLostLetterMatch(ReadOnlySpan<char> key, int inventoryId, out ExistingClient client)
    {
        client = default;
        if (key.IndexOf('?') < 0)
        {
            return false;
        }

        if (_lostLetterKeys is null || _lostLetterInventory != inventoryId)
        {
            BuildLostLetterKeys(inventoryId);
        }

        var skeleton = new string(key);
        if (_lostLetterKeys is null || !_lostLetterKeys.TryGetValue(LostLetterSkeleton(skeleton), out var candidates))
        {
            return false;
        }

        foreach (var slot in candidates)
        {
            ref var entry = ref _entries[slot];
            var name = _chars.Get(entry.Block, entry.Offset, entry.Length);
            if (LostLettersOnly(key, Client.KeyOf(name.ToString())))
            {
                client = new ExistingClient(entry.Id, entry.InventoryId, name.ToString());
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="key"/> is <paramref name="stored"/> with some of its non-ASCII letters written "?".</summary>
    private static bool LostLettersOnly(ReadOnlySpan<char> key, ReadOnlySpan<char> stored)
    {
        if (key.Length != stored.Length)
        {
            return false;
        }

        var lost = false;
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == stored[i])
            {
                continue;
            }

            if (key[i] != '?' || !IsLostLetter(stored[i]))
            {
                return false;
            }

            lost = true;
        }

        return lost;
    }

    /// <summary>A letter that a single-byte CSV may have written "?": any non-ASCII letter (a surrogate: half of one).</summary>
    private static bool IsLostLetter(char c) => c > '\u007f' && (char.IsLetter(c) || char.IsSurrogate(c));

    private static string LostLetterSkeleton(string key)
    {
        var i = 0;
        while (i < key.Length && !IsLostLetter(key[i]))
        {
            i++;
        }

        if (i == key.Length)
        {
            return key;
        }

        var chars = key.ToCharArray();
        for (; i < chars.Length; i++)
        {
            if (IsLostLetter(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    private void BuildLostLetterKeys(int inventoryId)
    {
        var keys = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var slot = 0; slot < _count; slot++)
        {
            ref var entry = ref _entries[slot];
            var name = _chars.Get(entry.Block, entry.Offset, entry.Length);
            if (entry.InventoryId != inventoryId || !name.ContainsAnyExceptInRange('\u0000', '\u007f'))
            {
                continue;
            }

            var skeleton = LostLetterSkeleton(Client.KeyOf(name.ToString()));
            if (!keys.TryGetValue(skeleton, out var slots))
            {
                keys[skeleton] = slots = [];
            }

            slots.Add(slot);
        }

        _lostLetterKeys = keys;
        _lostLetterInventory = inventoryId;
    }

    /// <summary>The table's slot that holds <paramref name="key"/>, or the empty one where it would go.</summary>
    private int Find(ReadOnlySpan<char> key, int hash)
    {
        var mask = _table.Length - 1;
        var index = hash & mask;
        while (_table[index] != 0)
        {
            ref var entry = ref _entries[_table[index] - 1];
            if (entry.Hash == hash && KeyEquals(_chars.Get(entry.Block, entry.Offset, entry.Length), key))
            {
                return index;
            }

            index = (index + 1) & mask;
        }

        return index;
    }

    private static bool KeyEquals(ReadOnlySpan<char> name, ReadOnlySpan<char> key)
    {
        if (name.Length < key.Length)
        {
            return false;
        }

        var lower = name.Length <= StackLimit ? stackalloc char[name.Length] : new char[name.Length];
        return lower[..Client.KeyOf(name, lower)].SequenceEqual(key);
    }

    private void Grow()
    {
        _table = new int[_table.Length * 2];
        var mask = _table.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            var index = _entries[i].Hash & mask;
            while (_table[index] != 0)
            {
                index = (index + 1) & mask;
            }

            _table[index] = i + 1;
        }
    }

    private static int CapacityFor(int count)
    {
        var capacity = 1 << 4;
        while (capacity * MaxLoad < Math.Min(count, 1 << 26))
        {
            capacity <<= 1;
        }

        return capacity;
    }

    private readonly record struct Entry(int Hash, int Id, int InventoryId, int Offset, ushort Block, ushort Length);

    /// <summary>A client's assignee and client user ids, 0 for none (ids start at 1).</summary>
    private readonly record struct Users(int Assignee, int ClientUser);
}

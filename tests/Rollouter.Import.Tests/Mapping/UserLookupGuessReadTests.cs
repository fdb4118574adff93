using System.Text;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.TestData;

namespace Rollouter.Import.Tests.Mapping;

/// <summary>
/// QA: the guess of a user column's lookup read up to 100 rows of the file once per user column; a file with an
/// Assignee and a Client User column was read twice. It is read once for all of them.
/// </summary>
public sealed class UserLookupGuessReadTests
{
    private const string Csv = "Name,Assignee,Client User,Notes\nPC-1,Tina Technician,Tina Technician,x\nPC-2,,technician@demo.test,y\n";

    [Fact]
    public async Task SeveralUserColumns_AreGuessedFromOneReadOfTheFile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var one = await ReadsAsync(database, [1]);
        var two = await ReadsAsync(database, [1, 2]);

        Assert.True(one > 0, "The guess read nothing.");
        Assert.Equal(one, two);
    }

    /// <summary>How often the file is opened while the columns at <paramref name="positions"/> are guessed.</summary>
    private static async Task<int> ReadsAsync(TestDatabase database, int[] positions)
    {
        await using var db = database.CreateContext();
        using var stream = new CountingStream(Encoding.UTF8.GetBytes(Csv));
        var opened = ImportFileReader.Open(stream, "guess.csv");
        Assert.True(opened.Succeeded, opened.Problem?.Message);
        using var file = opened.File;
        var guess = await UserLookupGuess.ForAsync(db, inventoryId: 1, file, CancellationToken.None);

        stream.Rewinds = 0;
        foreach (var position in positions)
        {
            guess(position, position == 1 ? DefaultFields.Assignee : DefaultFields.ClientUser);
        }

        return stream.Rewinds;
    }

    /// <summary>A workbook in memory that counts how often a reader goes back to its start, as each read of it does.</summary>
    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public int Rewinds { get; set; }

        public override long Seek(long offset, SeekOrigin loc)
        {
            if (offset == 0 && loc == SeekOrigin.Begin)
            {
                Rewinds++;
            }

            return base.Seek(offset, loc);
        }
    }
}

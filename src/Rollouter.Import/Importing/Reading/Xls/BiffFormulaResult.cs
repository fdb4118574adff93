using System.Buffers.Binary;

namespace Rollouter.Import.Importing.Reading.Xls;

/// <summary>What a formula gives, as far as its tokens tell without calculating it.</summary>
internal enum FormulaResultType : byte
{
    /// <summary>Cannot be told: a reference, a lookup, a function or token this reader does not know.</summary>
    Unknown,

    Number,

    Logical,

    /// <summary>Always text: <c>="x"&amp;"y"</c>, <c>=UPPER(A2)</c>, <c>=IF(A8="";"";"ok")</c>.</summary>
    Text,

    /// <summary>Text on one branch and something else on another: <c>=IF(A2&gt;0;"big";5)</c>.</summary>
    MaybeText,
}

/// <summary>
/// The type of a BIFF8 formula's result, from its parsed tokens (rgce, reverse Polish): a stack of types, one per
/// operand, each operator and function replacing its operands by its result's type. Text comes from a string constant
/// (tStr), the concatenation operator (tConcat) and the text functions; IF and CHOOSE give what their branches give.
/// A token or function it does not know gives <see cref="FormulaResultType.Unknown"/> for the whole formula: the
/// answer is used only to notice a text formula whose stored result is a number (LibreOffice Calc writes 0 for the
/// text result of a formula it did not recalculate), never to refuse a formula it cannot read.
/// </summary>
internal static class BiffFormulaResult
{
    /// <summary>Functions that always give text (BIFF function index).</summary>
    private static readonly HashSet<int> TextFunctions =
    [
        13, // DOLLAR
        14, // FIXED
        30, // REPT
        31, // MID
        48, // TEXT
        111, // CHAR
        112, // LOWER
        113, // UPPER
        114, // PROPER
        115, // LEFT
        116, // RIGHT
        118, // TRIM
        119, // REPLACE
        120, // SUBSTITUTE
        130, // T
        162, // CLEAN
        204, // USDOLLAR
        207, // REPLACEB
        208, // LEFTB
        209, // RIGHTB
        210, // MIDB
        214, // ASC
        215, // DBCS
        219, // ADDRESS
        336, // CONCATENATE
        354, // ROMAN
        368, // BAHTTEXT
    ];

    /// <summary>Functions that give a number or a logical value, and so never text.</summary>
    private static readonly Dictionary<int, FormulaResultType> OtherFunctions = new()
    {
        [0] = FormulaResultType.Number, // COUNT
        [2] = FormulaResultType.Logical, // ISNA
        [3] = FormulaResultType.Logical, // ISERROR
        [4] = FormulaResultType.Number, // SUM
        [5] = FormulaResultType.Number, // AVERAGE
        [6] = FormulaResultType.Number, // MIN
        [7] = FormulaResultType.Number, // MAX
        [8] = FormulaResultType.Number, // ROW
        [9] = FormulaResultType.Number, // COLUMN
        [19] = FormulaResultType.Number, // PI
        [24] = FormulaResultType.Number, // ABS
        [25] = FormulaResultType.Number, // INT
        [26] = FormulaResultType.Number, // SIGN
        [27] = FormulaResultType.Number, // ROUND
        [32] = FormulaResultType.Number, // LEN
        [33] = FormulaResultType.Number, // VALUE
        [34] = FormulaResultType.Logical, // TRUE
        [35] = FormulaResultType.Logical, // FALSE
        [36] = FormulaResultType.Logical, // AND
        [37] = FormulaResultType.Logical, // OR
        [38] = FormulaResultType.Logical, // NOT
        [39] = FormulaResultType.Number, // MOD
        [63] = FormulaResultType.Number, // RAND
        [65] = FormulaResultType.Number, // DATE
        [66] = FormulaResultType.Number, // TIME
        [67] = FormulaResultType.Number, // DAY
        [68] = FormulaResultType.Number, // MONTH
        [69] = FormulaResultType.Number, // YEAR
        [74] = FormulaResultType.Number, // NOW
        [76] = FormulaResultType.Number, // ROWS
        [77] = FormulaResultType.Number, // COLUMNS
        [82] = FormulaResultType.Number, // SEARCH
        [117] = FormulaResultType.Logical, // EXACT
        [121] = FormulaResultType.Number, // CODE
        [124] = FormulaResultType.Number, // FIND
        [126] = FormulaResultType.Logical, // ISERR
        [127] = FormulaResultType.Logical, // ISTEXT
        [128] = FormulaResultType.Logical, // ISNUMBER
        [129] = FormulaResultType.Logical, // ISBLANK
        [140] = FormulaResultType.Number, // DATEVALUE
        [169] = FormulaResultType.Number, // COUNTA
        [190] = FormulaResultType.Logical, // ISNONTEXT
        [198] = FormulaResultType.Logical, // ISLOGICAL
        [211] = FormulaResultType.Number, // LENB
        [212] = FormulaResultType.Number, // ROUNDUP
        [213] = FormulaResultType.Number, // ROUNDDOWN
        [221] = FormulaResultType.Number, // TODAY
        [344] = FormulaResultType.Number, // SUBTOTAL
        [345] = FormulaResultType.Number, // SUMIF
        [346] = FormulaResultType.Number, // COUNTIF
    };

    /// <summary>The number of arguments of the fixed-argument functions (tFunc) this reader knows.</summary>
    private static readonly Dictionary<int, int> FixedArguments = new()
    {
        [2] = 1, [3] = 1, [10] = 0, [13] = 2, [14] = 3, [19] = 0, [20] = 1, [24] = 1, [25] = 1, [26] = 1, [27] = 2, [30] = 2,
        [31] = 3, [32] = 1, [33] = 1, [34] = 0, [35] = 0, [38] = 1, [39] = 2, [48] = 2, [63] = 0, [65] = 3, [66] = 3,
        [67] = 1, [68] = 1, [69] = 1, [71] = 1, [72] = 1, [73] = 1, [74] = 0, [76] = 1, [77] = 1, [111] = 1, [112] = 1,
        [113] = 1, [114] = 1, [117] = 2, [118] = 1, [119] = 4, [121] = 1, [126] = 1, [127] = 1, [128] = 1, [129] = 1,
        [130] = 1, [131] = 1, [140] = 1, [162] = 1, [190] = 1, [198] = 1, [207] = 4, [211] = 1, [212] = 2, [213] = 2,
        [214] = 1, [215] = 1, [221] = 0, [346] = 2,
    };

    private const int If = 1, Choose = 100;

    /// <summary>
    /// The type of the formula <paramref name="tokens"/> (a FORMULA record's rgce, or a shared or array formula's, which a
    /// FORMULA record whose only token is tExp points to).
    /// </summary>
    public static FormulaResultType Of(ReadOnlySpan<byte> tokens)
    {
        var stack = new List<FormulaResultType>(8);
        var at = 0;
        while (at < tokens.Length)
        {
            var ptg = tokens[at];
            int size;
            switch (ptg)
            {
                case >= 0x03 and <= 0x07:
                    if (!Pop(stack, 2))
                    {
                        return FormulaResultType.Unknown;
                    }

                    stack.Add(FormulaResultType.Number);
                    size = 1;
                    break;
                case 0x08:
                    if (!Pop(stack, 2))
                    {
                        return FormulaResultType.Unknown;
                    }

                    stack.Add(FormulaResultType.Text);
                    size = 1;
                    break;
                case >= 0x09 and <= 0x0E:
                    if (!Pop(stack, 2))
                    {
                        return FormulaResultType.Unknown;
                    }

                    stack.Add(FormulaResultType.Logical);
                    size = 1;
                    break;
                case >= 0x0F and <= 0x11:
                    if (!Pop(stack, 2))
                    {
                        return FormulaResultType.Unknown;
                    }

                    stack.Add(FormulaResultType.Unknown);
                    size = 1;
                    break;
                case >= 0x12 and <= 0x14:
                    if (!Pop(stack, 1))
                    {
                        return FormulaResultType.Unknown;
                    }

                    stack.Add(FormulaResultType.Number);
                    size = 1;
                    break;
                case 0x15:
                    size = 1;
                    break;
                case 0x16:
                    stack.Add(FormulaResultType.Unknown);
                    size = 1;
                    break;
                case 0x17:
                    if (at + 3 > tokens.Length)
                    {
                        return FormulaResultType.Unknown;
                    }

                    size = 3 + (tokens[at + 1] * ((tokens[at + 2] & 1) != 0 ? 2 : 1));
                    stack.Add(FormulaResultType.Text);
                    break;
                case 0x19:
                    if (at + 4 > tokens.Length)
                    {
                        return FormulaResultType.Unknown;
                    }

                    var attribute = tokens[at + 1];
                    size = (attribute & 0x04) != 0 ? 4 + (2 * (BinaryPrimitives.ReadUInt16LittleEndian(tokens[(at + 2)..]) + 1)) : 4;
                    if ((attribute & 0x10) != 0)
                    {
                        // tAttrSum: SUM of one argument.
                        if (!Pop(stack, 1))
                        {
                            return FormulaResultType.Unknown;
                        }

                        stack.Add(FormulaResultType.Number);
                    }

                    break;
                case 0x1C:
                    stack.Add(FormulaResultType.Unknown);
                    size = 2;
                    break;
                case 0x1D:
                    stack.Add(FormulaResultType.Logical);
                    size = 2;
                    break;
                case 0x1E:
                    stack.Add(FormulaResultType.Number);
                    size = 3;
                    break;
                case 0x1F:
                    stack.Add(FormulaResultType.Number);
                    size = 9;
                    break;
                case >= 0x20 and <= 0x7F:
                    if (!Operand(tokens, at, (byte)((ptg & 0x1F) | 0x20), stack, out size))
                    {
                        return FormulaResultType.Unknown;
                    }

                    break;
                default:
                    return FormulaResultType.Unknown;
            }

            at += size;
        }

        return at == tokens.Length && stack.Count == 1 ? stack[0] : FormulaResultType.Unknown;
    }

    /// <summary>A token of a class (reference, value, array): operands, and the functions.</summary>
    private static bool Operand(ReadOnlySpan<byte> tokens, int at, byte type, List<FormulaResultType> stack, out int size)
    {
        size = type switch
        {
            0x20 => 8, // tArray
            0x21 => 3, // tFunc
            0x22 => 4, // tFuncVar
            0x23 => 5, // tName
            0x24 or 0x2A or 0x2C => 5, // tRef, tRefErr, tRefN
            0x25 or 0x2B or 0x2D => 9, // tArea, tAreaErr, tAreaN
            0x26 or 0x27 or 0x28 => 7, // tMemArea, tMemErr, tMemNoMem
            0x29 => 3, // tMemFunc
            0x39 or 0x3A or 0x3C => 7, // tNameX, tRef3d, tRefErr3d
            0x3B or 0x3D => 11, // tArea3d, tAreaErr3d
            _ => 0,
        };
        if (size == 0 || at + size > tokens.Length)
        {
            return false;
        }

        switch (type)
        {
            case 0x21:
            {
                var function = BinaryPrimitives.ReadUInt16LittleEndian(tokens[(at + 1)..]);
                return FixedArguments.TryGetValue(function, out var count) && Call(stack, function, count);
            }

            case 0x22:
            {
                var count = tokens[at + 1] & 0x7F;
                var function = BinaryPrimitives.ReadUInt16LittleEndian(tokens[(at + 2)..]) & 0x7FFF;
                return Call(stack, function, count);
            }

            case >= 0x26 and <= 0x29:
                // A memory token only says where the tokens of its sub-expression end: those push its value.
                return true;
            default:
                stack.Add(FormulaResultType.Unknown);
                return true;
        }
    }

    private static bool Call(List<FormulaResultType> stack, int function, int count)
    {
        if (count > stack.Count)
        {
            return false;
        }

        var arguments = stack.GetRange(stack.Count - count, count);
        stack.RemoveRange(stack.Count - count, count);
        stack.Add(function switch
        {
            If when count is 2 or 3 => Join(arguments[1], count == 3 ? arguments[2] : FormulaResultType.Logical),
            Choose when count >= 2 => arguments.Skip(1).Aggregate(Join),
            _ when TextFunctions.Contains(function) => FormulaResultType.Text,
            _ => OtherFunctions.GetValueOrDefault(function, FormulaResultType.Unknown),
        });
        return true;
    }

    private static FormulaResultType Join(FormulaResultType a, FormulaResultType b) =>
        a == b ? a
        : a is FormulaResultType.Text or FormulaResultType.MaybeText || b is FormulaResultType.Text or FormulaResultType.MaybeText ? FormulaResultType.MaybeText
        : FormulaResultType.Unknown;

    private static bool Pop(List<FormulaResultType> stack, int count)
    {
        if (stack.Count < count)
        {
            return false;
        }

        stack.RemoveRange(stack.Count - count, count);
        return true;
    }
}

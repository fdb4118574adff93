using Rollouter.Import.Importing.Reading.Xlsx;

namespace Rollouter.Import.Importing.Reading.Ods;

internal static class OdsWorkbook
{
    public static bool IsOds(XlsxPackage package) => package.Has("content.xml");

    public static WorkbookFile Open(Func<Stream> openStream, XlsxPackage package, ReaderLimits limits) =>
        throw new ImportFileException(FileProblemKind.WrongType, "not yet");
}

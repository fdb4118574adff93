using Rollouter.Import.Importing.Reading.Xlsx;

namespace Rollouter.Import.Importing.Reading.Xlsb;

internal static class XlsbWorkbook
{
    public static WorkbookFile Open(Func<Stream> openStream, XlsxPackage package, string workbookPart, ReaderLimits limits) =>
        throw new ImportFileException(FileProblemKind.WrongType, "not yet");
}

using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Web;

/// <summary>The Reverted import's card says what the revert undid, and only that.</summary>
public sealed class RevertedSentenceTests
{
    [Theory]
    [InlineData(0, 0, "The import had changed nothing, so there was nothing to undo.")]
    [InlineData(1, 0, "The 1 client it created was deleted.")]
    [InlineData(0, 1, "The values it changed on 1 client were restored.")]
    [InlineData(2, 1_500, "The 2 clients it created were deleted and the values it changed on 1,500 clients were restored.")]
    public void Reverted_SaysWhatTheRevertUndid_LeavingOutWhatTheImportDidNotDo(int created, int updated, string expected)
    {
        Assert.Equal(expected, ImportStatusDisplay.Reverted(created, updated));
        Assert.Equal("The import was reverted. " + expected, ImportStatusDisplay.Explanation(Rollouter.Import.Data.Entities.ImportStatus.Reverted, created, updated));
    }

    [Theory]
    [InlineData(0, 0, "nothing to undo: the import had created and changed no client.")]
    [InlineData(1, 0, "1 client removed (the one it created).")]
    [InlineData(0, 1, "1 client restored to what it had before.")]
    [InlineData(2, 1_500, "2 clients removed (the ones it created), 1,500 restored to what they had before.")]
    public void RevertFigures_GiveWhatTheRevertDid_LeavingOutAFigureOfNothing(int removed, int restored, string expected) =>
        Assert.Equal(expected, ImportStatusDisplay.RevertFigures(removed, restored));
}

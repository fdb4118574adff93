using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;

namespace Rollouter.Import.Tests.Processing;

/// <summary>What may be done to an import in each status: the one table the pages, the API and the job all follow.</summary>
public class ImportStatusRulesTests
{
    public static TheoryData<ImportStatus, bool, bool, bool, bool> Statuses => new()
    {
        // status, mapping and file settings, check, approve, run
        { ImportStatus.Incomplete, true, false, false, false },
        { ImportStatus.WaitingForApproval, true, true, true, false },
        { ImportStatus.InProgress, false, false, false, true },
        { ImportStatus.Failed, true, true, true, false },
        { ImportStatus.Completed, false, false, false, false },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void EachStatus_AllowsItsSteps_AndRefusesTheOthersWithAConflict(ImportStatus status, bool edit, bool check,
        bool approve, bool run)
    {
        var import = new ClientImport { Id = 42, FileName = "clients.csv", Status = status };

        Assert.Equal((edit, edit, check, approve, run), (ImportStatusRules.CanEditMapping(status),
            ImportStatusRules.CanChangeFileSettings(status), ImportStatusRules.CanCheck(status),
            ImportStatusRules.CanApprove(status), ImportStatusRules.CanRun(status)));
        Assert.Equal(edit, ImportStatusRules.RefuseMappingChange(import) is null);
        Assert.Equal(edit, ImportStatusRules.RefuseFileSettingsChange(import) is null);
        Assert.Equal(check, ImportStatusRules.RefuseCheck(import) is null);
        Assert.Equal(approve, ImportStatusRules.RefuseApproval(import) is null);
        Assert.All(new[] { ImportStatusRules.RefuseMappingChange(import), ImportStatusRules.RefuseCheck(import),
                ImportStatusRules.RefuseApproval(import) }.OfType<Problem>(),
            p => Assert.Equal((ProblemKind.Conflict, true), (p.Kind, p.Message.StartsWith("Import 42 is", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData(ImportStatus.Failed, 3, true)]
    [InlineData(ImportStatus.Failed, 0, false)]
    [InlineData(ImportStatus.InProgress, 3, false)]
    [InlineData(ImportStatus.Completed, 0, false)]
    public void TheErrorReport_IsTheFailedRowsOfAFailedImport(ImportStatus status, int failedRows, bool allowed)
    {
        var import = new ClientImport { Id = 7, FileName = "clients.csv", FileSha256 = "ab", Status = status, FailedRowCount = failedRows };

        Assert.Equal(allowed, ImportStatusRules.CanDownloadErrorReport(import));
        Assert.Equal(allowed, ImportStatusRules.RefuseErrorReport(import) is null);
    }

    [Fact]
    public void ARun_EndsCompletedWhenWritten_ElseFailed_AndApprovalMovesToInProgress()
    {
        Assert.Equal(ImportStatus.Completed, ImportStatusRules.AfterRun(written: true));
        Assert.Equal(ImportStatus.Failed, ImportStatusRules.AfterRun(written: false));
        Assert.Equal(ImportStatus.InProgress, ImportStatusRules.AfterApproval);
        Assert.Equal([ImportStatus.WaitingForApproval, ImportStatus.Failed], ImportStatusRules.Approvable);
    }
}

namespace Rollouter.Import.BrowserTests.Infrastructure;

/// <summary>Where the tests find the app and leave what they produce.</summary>
public static class Paths
{
    /// <summary>The published web app, which the build of this project puts next to the tests (target PublishWebApp).</summary>
    public static string WebApp { get; } = Path.Combine(AppContext.BaseDirectory, "app");

    /// <summary>The repository's root: the folder holding Rollouter.Import.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>artifacts/ under the repository root (ignored by git).</summary>
    public static string Artifacts => Path.Combine(RepositoryRoot, "artifacts");

    /// <summary>artifacts/screenshots/&lt;class&gt;/&lt;test&gt;/&lt;nn-step&gt;.png</summary>
    public static string Screenshots => Path.Combine(Artifacts, "screenshots");

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Rollouter.Import.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Rollouter.Import.sln above {AppContext.BaseDirectory}.");
    }
}

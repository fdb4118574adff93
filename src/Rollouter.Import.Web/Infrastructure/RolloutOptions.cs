using System.ComponentModel.DataAnnotations;
using Rollouter.Import.Data;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>The "Rollouter" configuration section, checked at start-up.</summary>
public sealed class RolloutOptions
{
    public const string Section = "Rollouter";

    /// <summary>Where the SQLite database, logs and other local files live; relative to the content root.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Rollouter:DataFolder must name a folder.")]
    public string DataFolder { get; set; } = "data";

    /// <summary>Sqlite (default), PostgreSql or SqlServer.</summary>
    public string DatabaseProvider { get; set; } = nameof(Data.DatabaseProvider.Sqlite);

    /// <summary>Seed the demo rollout and users with known passwords. Never in production.</summary>
    public bool DemoData { get; set; }

    /// <summary>The first administrator of an installation without demo data (created only when no user exists).</summary>
    public InitialAdministrator? InitialAdministrator { get; set; }

    /// <summary>
    /// The app's address as its users reach it (<c>https://rollouter.example.com/</c>), for the absolute links it makes
    /// (invitation links, the sign-in redirect); when not set they follow the request's scheme and Host header.
    /// </summary>
    public string? PublicUrl { get; set; }

    public string ResolveDataFolder(string contentRoot) => Path.GetFullPath(DataFolder, contentRoot);

    public DatabaseProvider Provider => Data.DatabaseProviders.Parse(DatabaseProvider);
}

public sealed class InitialAdministrator
{
    public string? Email { get; set; }

    public string? Password { get; set; }
}

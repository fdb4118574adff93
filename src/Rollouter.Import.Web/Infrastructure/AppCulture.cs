using System.Globalization;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// The one culture the app formats and parses in, whatever the server's (LANG, LC_ALL), decision 0042: the UI is English
/// only, and under ar_SA or th_TH a date labelled "UTC" was in the Hijri or Buddhist calendar, under de_DE or tr_TR
/// "1.200 clients". The invariant culture is what the app was built and tested in (a server with only the C locale):
/// "1,200", "2.4 KB", the Gregorian calendar.
/// </summary>
public static class AppCulture
{
    public static CultureInfo Culture => CultureInfo.InvariantCulture;

    /// <summary>For every thread from now on (requests, Hangfire's workers, timers) and the calling one.</summary>
    public static void Apply()
    {
        CultureInfo.DefaultThreadCurrentCulture = Culture;
        CultureInfo.DefaultThreadCurrentUICulture = Culture;
        CultureInfo.CurrentCulture = Culture;
        CultureInfo.CurrentUICulture = Culture;
    }
}

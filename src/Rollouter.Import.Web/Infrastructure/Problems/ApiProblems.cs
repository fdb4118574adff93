namespace Rollouter.Import.Web.Infrastructure.Problems;

/// <summary>Which requests are the API's: everything under /api answers in JSON, errors as problem details.</summary>
public static class ApiProblems
{
    public static bool IsApi(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments("/api");
    }
}

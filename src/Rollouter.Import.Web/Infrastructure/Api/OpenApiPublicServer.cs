using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The OpenAPI document's <c>servers</c> name <c>Rollouter:PublicUrl</c> when it is set, as every absolute link the app
/// makes does (decision 0045): ASP.NET Core writes the request's scheme and Host, which behind a proxy that does not
/// forward them is the app's own <c>http://127.0.0.1:8080/</c>, and which a forged Host header chooses (decision 0156).
/// </summary>
public sealed class OpenApiPublicServer(IOptions<RolloutOptions> options) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var configured = options.Value.PublicUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            document.Servers = [new OpenApiServer { Url = configured.Trim().TrimEnd('/') + "/" }];
        }

        return Task.CompletedTask;
    }
}

using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The OpenAPI document says what the API really sends (decision 0118). The API controllers produce
/// <c>application/json</c> by default, so ApiExplorer also lists an empty <c>application/json</c> entry beside a
/// download's own type (the .xlsx, the uploaded file): a client generated from the document then tried to read an
/// error report as JSON. An answer that names another type keeps only its own; its body is a binary string (declared as
/// <see cref="Stream"/> on the action). Enums are strings through the same JSON options the controllers use
/// (<c>Program</c>: <c>ConfigureHttpJsonOptions</c>).
/// </summary>
public sealed class OpenApiContract : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        foreach (var response in operation.Responses.Values)
        {
            if (response.Content is { Count: > 1 } content && content.TryGetValue("application/json", out var json) && json.Schema is null)
            {
                content.Remove("application/json");
            }
        }

        return Task.CompletedTask;
    }
}

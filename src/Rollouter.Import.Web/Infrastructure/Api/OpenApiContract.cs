using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The OpenAPI document says what the API really sends (decision 0118). The API controllers produce
/// <c>application/json</c> by default, so ApiExplorer also lists an empty <c>application/json</c> entry beside a
/// download's own type (the .xlsx, the uploaded file): a client generated from the document then tried to read an
/// error report as JSON. An answer that names another type keeps only its own; its body is a binary string (declared as
/// <see cref="Stream"/> on the action). Enums are strings through the same JSON options the controllers use
/// (<c>Program</c>: <c>ConfigureHttpJsonOptions</c>). The 503 and 507 every operation may answer say what they mean,
/// the 503 with its <c>Retry-After</c>.
/// </summary>
public sealed class OpenApiContract : IOpenApiOperationTransformer
{
    /// <summary>The description of every operation's 503.</summary>
    public const string DatabaseUnavailableDescription =
        "The database is busy, cannot be reached, took too long, accepts no changes, or its SQLite file is missing, " +
        "damaged or not this application's (the detail says which); nothing of the request was kept. Send it again " +
        "after Retry-After; a file missing or damaged needs the administrator first.";

    /// <summary>The description of a writing operation's 507.</summary>
    public const string DiskFullDescription =
        "The server's disk (the database's or the data folder's) is full; nothing of the request was kept. Send it " +
        "again once the administrator has made room.";

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

        // The database's and the disk's answers, which ApiResponsesConvention lists on the operations they may come from:
        // what they mean, and when to try again (decision 0127).
        if (operation.Responses.TryGetValue("503", out var unavailable) && unavailable is OpenApiResponse busy)
        {
            busy.Description = DatabaseUnavailableDescription;
            busy.Headers ??= new Dictionary<string, IOpenApiHeader>();
            busy.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before sending the request again (" +
                    DatabaseBusy.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture) + ").",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }

        // A list paged by the Link header (decision 0133): the header is part of its 200.
        if (context?.Description.ActionDescriptor.EndpointMetadata.OfType<NextPageLinkAttribute>().Any() == true
            && operation.Responses.TryGetValue("200", out var listed) && listed is OpenApiResponse list)
        {
            list.Headers ??= new Dictionary<string, IOpenApiHeader>();
            list.Headers["Link"] = new OpenApiHeader
            {
                Description = NextPageLinkAttribute.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        if (operation.Responses.TryGetValue("507", out var full) && full is OpenApiResponse noRoom)
        {
            noRoom.Description = DiskFullDescription;
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// A list that answers an array and names its next page in the <c>Link</c> header (<c>rel="next"</c>), absent on the last
/// page (<c>GET /api/rollouts</c>, decision 0133); the OpenAPI document lists the header on its 200.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NextPageLinkAttribute : Attribute
{
    public const string Description =
        "The next page's address, <…>; rel=\"next\" (RFC 8288), when more items follow; absent on the last page.";

    /// <summary>
    /// Sets the answer's <c>Link</c> to the next page of <paramref name="path"/> (<c>GET /api/rollouts</c>,
    /// <c>GET /api/users</c>): the search <paramref name="q"/> as the list cleaned it, the page size when the caller gave
    /// one (<paramref name="askedPageSize"/> other than <see cref="PageDto.MaxPageSize"/>: <paramref name="pageSize"/>, as
    /// clamped), and <c>after</c>, the id of the page's last item (decisions 0133 and 0159).
    /// </summary>
    public static void SetNext(HttpResponse response, string path, string? q, int askedPageSize, int pageSize, int lastId)
    {
        ArgumentNullException.ThrowIfNull(response);
        var query = new List<string>();
        if (q is not null)
        {
            query.Add("q=" + Uri.EscapeDataString(q));
        }

        if (askedPageSize != PageDto.MaxPageSize)
        {
            query.Add("pageSize=" + pageSize.ToString(CultureInfo.InvariantCulture));
        }

        query.Add("after=" + lastId.ToString(CultureInfo.InvariantCulture));
        response.Headers.Link = $"<{path}?{string.Join("&", query)}>; rel=\"next\"";
    }
}

/// <summary>
/// The bound the API puts on a user's <c>rolloutIds</c> (<c>POST /api/users</c>, <c>PUT /api/users/{id}</c>): more than
/// <see cref="Features.Settings.Users.UsersApiController.MaxRolloutIds"/> ids as sent is a 400 naming the field; and on an
/// inventory's <c>customFieldIds</c> (<c>POST /api/rollouts/{id}/inventories</c>): more than
/// <see cref="Features.Inventories.InventoryService.MaxCustomFields"/>, or one twice, is a 400. The document declares them as
/// the array's <c>maxItems</c> (and <c>uniqueItems</c>), with a sentence, so a client generated from it knows the limit
/// before the server refuses (decisions 0143, 0160 and 0161).
/// </summary>
public sealed class OpenApiListBounds : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonPropertyInfo is { } property
            && (property.DeclaringType == typeof(Features.Settings.CreateUserRequest)
                || property.DeclaringType == typeof(Features.Settings.UpdateUserRequest))
            && string.Equals(property.Name, "rolloutIds", StringComparison.OrdinalIgnoreCase))
        {
            var most = Features.Settings.Users.UsersApiController.MaxRolloutIds;
            schema.MaxItems = most;
            schema.Description = "The rollouts the user is a member of (a rollout manager: among their own); a repeated id is " +
                "ignored, and more than " + Features.Imports.ImportNumbers.N(most) + " ids, counted as sent, is 400 (field rolloutIds).";
        }
        else if (context.JsonPropertyInfo is { } fields
            && fields.DeclaringType == typeof(Features.Inventories.CreateInventoryRequest)
            && string.Equals(fields.Name, "customFieldIds", StringComparison.OrdinalIgnoreCase))
        {
            // An inventory's custom fields (decision 0161): each once, at most as many as an import reads columns.
            var most = Features.Inventories.InventoryService.MaxCustomFields;
            schema.MaxItems = most;
            schema.UniqueItems = true;
            schema.Description = "The inventory's custom fields, each once (a repeated id is 400); more than " +
                Features.Imports.ImportNumbers.N(most) + " is 400 (field customFieldIds): an import reads at most " +
                Features.Imports.ImportNumbers.N(most) + " columns.";
        }

        return Task.CompletedTask;
    }
}

using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// The API's answer to a body it cannot read (not JSON, a value of the wrong type, an unknown enum name): 400 problem
/// details like every other refusal, naming the field and, for an enum, the names it takes.
/// </summary>
public static partial class InvalidRequestBody
{
    public static IActionResult Response(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = context.ActionDescriptor.Parameters
            .FirstOrDefault(p => p.BindingInfo?.BindingSource == BindingSource.Body)?.ParameterType;
        // The address's own parameters (query, route), as opposed to the body's members.
        var parameters = context.ActionDescriptor.Parameters.Where(p => p.BindingInfo?.BindingSource != BindingSource.Body)
            .Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var details = ProblemMapping.Details(StatusCodes.Status400BadRequest, Message(context.ModelState, body, parameters));
        // One member at fault is also named in `field`, as a refusal of a service names its field.
        if (Failed(context.ModelState).Select(failure => Field(failure.Key)).Distinct().ToList() is [{ Length: > 0 } field])
        {
            details.Extensions["field"] = field;
        }

        return ProblemMapping.ToApiResult(details);
    }

    public static string Message(ModelStateDictionary modelState, Type? bodyType = null, IReadOnlySet<string>? parameters = null)
    {
        var failed = Failed(modelState);
        // No body at all (a script's variable that came out empty): say so and what to send, rather than ASP.NET's
        // "A non-empty request body is required.; The request field is required." (decision 0119).
        if (bodyType is not null && failed.Any(failure => failure.Key.Length == 0
                && failure.Entry.Errors.Any(error => error.ErrorMessage.Contains("non-empty request body", StringComparison.Ordinal))))
        {
            return EmptyBody(bodyType);
        }

        var inAddress = failed.Where(failure => parameters?.Contains(failure.Key) == true).ToList();
        var address = inAddress
            .SelectMany(failure => failure.Entry.Errors.Select(error =>
                $"The query parameter {failure.Key} is not valid: {ErrorText(error)}"))
            .Distinct()
            .ToList();
        var problems = failed.Except(inAddress)
            .SelectMany(failure => failure.Entry.Errors.Select(error => Describe(failure.Key, error, bodyType)))
            .Distinct()
            .ToList();
        if (address.Count > 0)
        {
            return string.Join(" ", address) + (problems.Count == 0 ? "" : " The request body is not valid: " + string.Join("; ", problems));
        }

        return problems.Count == 0
            ? "The request body is not valid."
            : "The request body is not valid: " + string.Join("; ", problems);
    }

    /// <summary>"The request body is empty: send a JSON object (Content-Type: application/json) with email and password."</summary>
    private static string EmptyBody(Type bodyType)
    {
        var members = MembersOf(bodyType);
        var with = members.Count switch
        {
            0 => "",
            1 => $" with {members[0]}",
            _ => $" with {string.Join(", ", members.Take(members.Count - 1))} and {members[^1]}",
        };
        return $"The request body is empty: send a JSON object (Content-Type: application/json){with}.";
    }

    private static string ErrorText(ModelError error) =>
        string.IsNullOrEmpty(error.ErrorMessage) ? error.Exception?.Message ?? "invalid" : error.ErrorMessage;

    private static List<(string Key, ModelStateEntry Entry)> Failed(ModelStateDictionary modelState)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        var failed = new List<(string Key, ModelStateEntry Entry)>();
        foreach (var (key, entry) in modelState)
        {
            if (entry is { Errors.Count: > 0 })
            {
                failed.Add((key, entry));
            }
        }

        // A body that cannot be read also leaves its parameter unbound ("The request field is required."): name only
        // what the JSON reader found, when it found something.
        if (failed.Any(failure => failure.Key.StartsWith('$')))
        {
            failed.RemoveAll(failure => !failure.Key.StartsWith('$'));
        }

        return failed;
    }

    /// <summary>
    /// The member a model state key names, as the JSON names it: the reader's <c>$.columns[0].lookup</c> and the
    /// validators' <c>Columns[0].Lookup</c> are both <c>columns[0].lookup</c>; "" for the whole body.
    /// </summary>
    private static string Field(string key)
    {
        var field = key.TrimStart('$', '.');
        if (field == "request")
        {
            return "";
        }

        // camelCase each member's first letter; a dictionary's key in brackets stays as sent.
        var chars = field.ToCharArray();
        var depth = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            depth += chars[i] switch { '[' => 1, ']' => -1, _ => 0 };
            if (depth == 0 && (i == 0 || chars[i - 1] == '.'))
            {
                chars[i] = char.ToLowerInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    private static string Describe(string key, ModelError error, Type? bodyType)
    {
        var message = ErrorText(error);
        // System.Text.Json adds where it stopped reading ("Path: $.role | LineNumber: 0 | BytePositionInLine: 20.").
        // The member's name says where for the sentences below; a body that is no JSON keeps the place it breaks off at,
        // counted from 1 as editors count ("… (line 1, byte 3)."; decision 0124).
        var position = JsonLineAndByte().Match(message);
        message = JsonPosition().Replace(message, "").Trim();
        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            return UnknownMember(key, unmapped.Groups["name"].Value, bodyType);
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal) && TypeAt(bodyType, key) is { } type)
        {
            message = type.IsEnum
                ? $"\"{type.Name}\" takes one of: {string.Join(", ", Enum.GetNames(type))}."
                : $"expected {Expected(type)}.";
        }
        else if (position.Success)
        {
            var at = string.Create(CultureInfo.InvariantCulture,
                $"(line {long.Parse(position.Groups["line"].Value, CultureInfo.InvariantCulture) + 1}, byte {long.Parse(position.Groups["byte"].Value, CultureInfo.InvariantCulture) + 1})");
            message = message.EndsWith('.') ? $"{message[..^1]} {at}." : $"{message} {at}";
        }

        var field = Field(key);
        return field.Length == 0 ? message : $"{field}: {message}";
    }

    /// <summary>What a value of <paramref name="type"/> is, in words ("text", "a whole number", "an object").</summary>
    internal static string Expected(Type type) => type switch
    {
        _ when type == typeof(string) => "text",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(decimal) || type == typeof(double) => "a number",
        _ when type != typeof(string) && type.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a list",
        _ => "an object",
    };

    /// <summary>The type (nullable unwrapped) of the body's property at a JSON path such as <c>$.columns[0].lookup</c>.</summary>
    private static Type? TypeAt(Type? type, string path)
    {
        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (type is null)
            {
                return null;
            }

            var name = segment.Split('[')[0];
            type = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
            if (segment.Contains('[') && type is not null)
            {
                type = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
            }
        }

        return type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
    }

    /// <summary>
    /// A member the body's type does not have (JsonUnmappedMemberHandling.Disallow), said with the members it takes and,
    /// when one is spelt alike, which one was meant: "colums is not a member of the request body; it takes updateExisting
    /// and columns (did you mean columns?)."
    /// </summary>
    private static string UnknownMember(string key, string name, Type? bodyType)
    {
        var field = Field(key);
        var parentKey = key.EndsWith("." + name, StringComparison.Ordinal) ? key[..^(name.Length + 1)] : "$";
        var parent = Field(parentKey);
        var message = $"{field} is not a member of {(parent.Length == 0 ? "the request body" : parent)}";
        if (TypeAt(bodyType, parentKey) is not { } type || MembersOf(type) is not { Count: > 0 } members)
        {
            return message + ".";
        }

        message += $"; it takes {(members.Count == 1 ? members[0] : string.Join(", ", members.Take(members.Count - 1)) + " and " + members[^1])}";
        return Meant(name, members) is { } meant ? $"{message} (did you mean {meant}?)." : message + ".";
    }

    /// <summary>The members a body of <paramref name="type"/> takes, as JSON names them (camelCase), in declaration order.</summary>
    private static List<string> MembersOf(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0
                && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .Select(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name
                ?? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name))];

    /// <summary>
    /// The member <paramref name="name"/> was probably meant to be: the same letters and digits whatever their case and
    /// separators ("update_existing"), or at most two letters apart ("colums", "createOption"); null when none is.
    /// </summary>
    private static string? Meant(string name, IReadOnlyList<string> members)
    {
        static string Letters(string text) => new([.. text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        var letters = Letters(name);
        return members.FirstOrDefault(m => Letters(m) == letters)
            ?? members.Select(m => (Member: m, Distance: Distance(Letters(m), letters)))
                .Where(m => m.Distance <= 2 && m.Distance < letters.Length)
                .OrderBy(m => m.Distance).Select(m => m.Member).FirstOrDefault();
    }

    /// <summary>The edit distance of two short texts (insertions, deletions and substitutions).</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"\s*Path: .*$")]
    private static partial Regex JsonPosition();

    [GeneratedRegex(@"LineNumber: (?<line>\d+) \| BytePositionInLine: (?<byte>\d+)")]
    private static partial Regex JsonLineAndByte();

    [GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped to any \\.NET member", RegexOptions.Singleline)]
    private static partial Regex UnmappedMember();
}

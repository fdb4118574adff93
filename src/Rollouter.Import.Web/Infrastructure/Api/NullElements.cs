using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Validation;

namespace Rollouter.Import.Web.Infrastructure.Api;

/// <summary>
/// Refuses a <c>null</c> element in a request's list (or a null value in its dictionary) whose elements are declared
/// not nullable, e.g. <c>{"columns":[null]}</c> for <c>IReadOnlyList&lt;ColumnMappingDto&gt;</c> or
/// <c>{"statuses":["a",null]}</c> for <c>IReadOnlyList&lt;string&gt;</c>: the JSON reader takes such a list without
/// complaint (it does not check the nullable annotations of elements), and the code after it trusts the annotation.
/// One validator for every model, objects within lists too: the error is the element's (<c>Columns[0]</c>), and the
/// API answers it as it answers a body it cannot read (<see cref="InvalidRequestBody"/>: 400 naming
/// <c>columns[0]</c>). A list declared with nullable elements (<c>IReadOnlyList&lt;string?&gt;</c>) takes nulls;
/// lists of numbers never hold one (the JSON reader refuses it).
/// </summary>
public sealed class NullElementsValidatorProvider : IMetadataBasedModelValidatorProvider
{
    /// <summary>Per model type, its properties that are lists of elements declared not nullable (most types: none).</summary>
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<(PropertyInfo Property, Type Element)>> Lists = new();

    public void CreateValidators(ModelValidatorProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Whatever the node: the body (an action's parameter), a record's member (a constructor parameter), a list's element.
        if (ListsOf(context.ModelMetadata.ModelType) is { Count: > 0 } lists)
        {
            context.Results.Add(new ValidatorItem { Validator = new NullElementsValidator(lists), IsReusable = true });
        }
    }

    public bool HasValidators(Type modelType, IList<object> validatorMetadata) => ListsOf(modelType).Count > 0;

    private static IReadOnlyList<(PropertyInfo Property, Type Element)> ListsOf(Type type) => Lists.GetOrAdd(type, static type =>
    {
        if (type.IsValueType || type.IsPrimitive || type == typeof(string) || type.IsAbstract || typeof(IEnumerable).IsAssignableFrom(type)
            || type.Namespace?.StartsWith("Rollouter.", StringComparison.Ordinal) != true)
        {
            return [];
        }

        var nullability = new NullabilityInfoContext();
        var lists = new List<(PropertyInfo, Type)>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || ElementOf(property.PropertyType) is not { IsValueType: false } element)
            {
                continue;
            }

            var info = nullability.Create(property);
            var elementInfo = info switch
            {
                { ElementType: { } arrayElement } => arrayElement,
                { GenericTypeArguments: [_, var value] } when IsDictionary(property.PropertyType) => value,
                { GenericTypeArguments: [var single] } => single,
                _ => null,
            };
            if (elementInfo is { ReadState: NullabilityState.NotNull })
            {
                lists.Add((property, element));
            }
        }

        return lists;
    });

    /// <summary>The element type of an array or a generic list, the value type of a generic dictionary; null otherwise.</summary>
    private static Type? ElementOf(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var dictionary = Interface(type, typeof(IReadOnlyDictionary<,>)) ?? Interface(type, typeof(IDictionary<,>));
        if (dictionary is not null)
        {
            return dictionary.GetGenericArguments()[1];
        }

        return Interface(type, typeof(IEnumerable<>)) is { } enumerable ? enumerable.GetGenericArguments()[0] : null;
    }

    private static bool IsDictionary(Type type) =>
        Interface(type, typeof(IReadOnlyDictionary<,>)) is not null || Interface(type, typeof(IDictionary<,>)) is not null;

    private static Type? Interface(Type type, Type generic) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);

    private sealed class NullElementsValidator(IReadOnlyList<(PropertyInfo Property, Type Element)> lists) : IModelValidator
    {
        public IEnumerable<ModelValidationResult> Validate(ModelValidationContext context)
        {
            if (context.Model is null)
            {
                yield break;
            }

            foreach (var (property, element) in lists)
            {
                var message = $"expected {InvalidRequestBody.Expected(element)}, not null.";
                switch (property.GetValue(context.Model))
                {
                    case IDictionary dictionary:
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            if (entry.Value is null)
                            {
                                yield return new ModelValidationResult($"{property.Name}[{entry.Key}]", message);
                            }
                        }

                        break;
                    case IEnumerable values:
                        var index = 0;
                        foreach (var value in values)
                        {
                            if (value is null)
                            {
                                yield return new ModelValidationResult($"{property.Name}[{index}]", message);
                            }

                            index++;
                        }

                        break;
                }
            }
        }
    }
}

using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Rollouter.Import.Data;

/// <summary>
/// A compiled query (<c>EF.CompileAsyncQuery</c>) for each model it runs with: EF refuses to run a compiled query with
/// another model than the first it ran with, and a process can hold several (each database provider has its own, as the
/// tests do). Compiled at a model's first use, held as long as the model (weakly): bounded by the models there are.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return _byModel.GetValue(db.Model, _ => compile());
    }
}

using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Auditing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.LinkTypes;

public sealed class LinkTypeForm
{
    [Required(ErrorMessage = "Enter the outward name (e.g. \"replaces\").")]
    [Display(Name = "Outward name")]
    public string OutwardName { get; set; } = "";

    [Required(ErrorMessage = "Enter the inward name (e.g. \"is replaced by\").")]
    [Display(Name = "Inward name")]
    public string InwardName { get; set; } = "";

    [Display(Name = "Advanced (linked clients share fields)")]
    public bool IsAdvanced { get; set; }

    public List<int> SharedFieldIds { get; set; } = [];
}

/// <summary>
/// Client link types (administrators only). The outward name is unique ignoring case. Shared fields belong to advanced
/// types only. Whether a type is advanced cannot change once links of it exist: a client has at most one advanced link,
/// which existing plain links could break. Creating a type and each change of one are audit events.
/// </summary>
public sealed class LinkTypeSettings(RolloutDbContext db, AuditLog audit)
{
    public Task<ClientLinkType?> FindAsync(int id, CancellationToken cancellationToken) =>
        db.ClientLinkTypes.Include(t => t.SharedFields).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);

    public async Task<Result<ClientLinkType>> CreateAsync(ClaimsPrincipal actor, LinkTypeForm form, CancellationToken cancellationToken)
    {
        var type = new ClientLinkType { OutwardName = "", InwardName = "" };
        var saved = await SaveAsync(actor, type, form, isNew: true, cancellationToken);
        return saved.Failed ? saved.Problem : type;
    }

    public Task<Result> UpdateAsync(ClaimsPrincipal actor, ClientLinkType type, LinkTypeForm form, CancellationToken cancellationToken) =>
        SaveAsync(actor, type, form, isNew: false, cancellationToken);

    private async Task<Result> SaveAsync(ClaimsPrincipal actor, ClientLinkType type, LinkTypeForm form, bool isNew,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(form);
        var errors = new ProblemList();
        var outward = SettingsNames.Clean(form.OutwardName);
        var inward = SettingsNames.Clean(form.InwardName);
        if (outward is null)
        {
            errors.Invalid(nameof(LinkTypeForm.OutwardName), "Enter the outward name (e.g. \"replaces\").");
        }
        else if (outward.Length > 200)
        {
            errors.Invalid(nameof(LinkTypeForm.OutwardName), "The outward name can have at most 200 characters.");
        }
        else
        {
            if (await db.ClientLinkTypes.Where(t => t.Id != type.Id)
                    .AnyAsync(IgnoringCase.Equal<ClientLinkType>(t => t.OutwardName, outward), cancellationToken))
            {
                errors.Conflict(nameof(LinkTypeForm.OutwardName), $"Another link type is already named \"{outward}\".");
            }
        }

        if (inward is null)
        {
            errors.Invalid(nameof(LinkTypeForm.InwardName), "Enter the inward name (e.g. \"is replaced by\").");
        }
        else if (inward.Length > 200)
        {
            errors.Invalid(nameof(LinkTypeForm.InwardName), "The inward name can have at most 200 characters.");
        }

        var fieldIds = (form.SharedFieldIds ?? []).Distinct().ToList();
        if (!form.IsAdvanced && fieldIds.Count > 0)
        {
            errors.Invalid(nameof(LinkTypeForm.SharedFieldIds), "Only advanced link types share fields: tick \"Advanced\" or choose no field.");
        }
        else if (fieldIds.Count > 0 && await db.CustomFields.CountAsync(f => fieldIds.Contains(f.Id), cancellationToken) != fieldIds.Count)
        {
            errors.Invalid(nameof(LinkTypeForm.SharedFieldIds), "A chosen custom field no longer exists.");
        }

        if (!isNew && type.IsAdvanced != form.IsAdvanced && await db.ClientLinks.AnyAsync(l => l.ClientLinkTypeId == type.Id, cancellationToken))
        {
            errors.Invalid(nameof(LinkTypeForm.IsAdvanced),
                "Clients are linked by this type: whether it is advanced can no longer change (create another link type).");
        }

        if (errors.Failed || outward is null || inward is null)
        {
            return errors.ToResult();
        }

        // The shared fields by name, before and after, for the audit log.
        var beforeIds = type.SharedFields.Select(f => f.CustomFieldId).ToList();
        var named = await db.CustomFields.AsNoTracking().Where(f => beforeIds.Contains(f.Id) || fieldIds.Contains(f.Id))
            .OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync(cancellationToken);
        List<string> Names(List<int> ids) => [.. named.Where(f => ids.Contains(f.Id)).Select(f => f.Name)];
        var changes = new AuditChanges().Text("outward name", type.OutwardName, outward).Text("inward name", type.InwardName, inward)
            .Flag("advanced", type.IsAdvanced, form.IsAdvanced).List("shared fields", Names(beforeIds), Names(fieldIds));
        type.OutwardName = outward;
        type.InwardName = inward;
        type.IsAdvanced = form.IsAdvanced;
        type.SharedFields.RemoveAll(f => !fieldIds.Contains(f.CustomFieldId));
        type.SharedFields.AddRange(fieldIds.Where(id => type.SharedFields.All(f => f.CustomFieldId != id))
            .Select(id => new ClientLinkTypeSharedField { CustomFieldId = id }));
        if (isNew)
        {
            db.ClientLinkTypes.Add(type);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (isNew)
        {
            audit.LinkTypeCreated(actor.UserId(), type.Id, outward, inward, type.IsAdvanced, Names(fieldIds));
        }
        else if (changes.Any)
        {
            audit.LinkTypeChanged(actor.UserId(), type.Id, outward, changes.ToString());
        }

        return Result.Success;
    }
}

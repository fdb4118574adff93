using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// The demo installation: one user per role plus a key account manager, the rollout "Windows 11 Refresh" (W11) with
/// the inventories Laptops and Monitors, and a second rollout (SRV) that only the administrator belongs to.
/// Seeding again adds nothing.
/// </summary>
public sealed class DemoSeeder(RolloutDbContext db, UserManager<User> userManager, TimeProvider clock)
{
    public const string Password = "Demo!2026";
    public const string RolloutIdentifier = "W11";
    public const string OtherRolloutIdentifier = "SRV";

    public static readonly IReadOnlyList<(string Email, string Name, Role Role, bool KeyAccountManager)> Users =
    [
        ("admin@demo.test", "Ada Admin", Role.Administrator, false),
        ("manager@demo.test", "Max Manager", Role.RolloutManager, false),
        ("technician@demo.test", "Tina Technician", Role.Technician, false),
        ("servicedesk@demo.test", "Sven Servicedesk", Role.ServiceDesk, false),
        ("clientuser@demo.test", "Clara Client", Role.ClientUser, false),
        ("kam@demo.test", "Kai Keyaccount", Role.ServiceDesk, true),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        var users = await EnsureUsersAsync();
        if (await db.Rollouts.AnyAsync(r => r.Identifier == RolloutIdentifier, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var workflow = await db.Workflows.Include(w => w.Statuses)
            .FirstOrDefaultAsync(w => w.Name == "Device rollout", cancellationToken) ?? new Workflow
        {
            Name = "Device rollout",
            Statuses = new[] { "New", "Prepared", "Scheduled", "Done" }
                .Select((name, i) => new WorkflowStatus { Name = name, Position = i }).ToList(),
        };

        var location = Field("Location", CustomFieldType.Input, "Building and room");
        var model = Field("Model", CustomFieldType.Selection, "Device model",
            "Latitude 5440", "Latitude 7440", "ThinkPad T14", "EliteBook 840");
        var software = Field("Software", CustomFieldType.MultiSelection, "Software to install",
            "Office", "Teams", "VPN", "Adobe Reader", "SAP GUI");
        var tags = Field("Tags", CustomFieldType.MultiSelectionFree, "Free keywords");
        var serial = Field("Serial number", CustomFieldType.Input, "Manufacturer serial number");
        serial.ValidationRegex = "^SN[0-9]{6}$";
        var department = Field("Department", CustomFieldType.Selection, "Owning department",
            "Finance", "HR", "IT", "Sales", "Operations");
        department.Required = true;
        var notes = Field("Notes", CustomFieldType.TextArea, "Anything the technician should know");
        CustomField[] laptopFields = [location, model, software, tags, serial, department, notes];
        CustomField[] monitorFields = [location, department, serial, notes];

        // Values are keyed by field id: save the fields first, all in one transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.CustomFields.AddRange(laptopFields);
        if (workflow.Id == 0)
        {
            db.Workflows.Add(workflow);
        }

        await db.SaveChangesAsync(cancellationToken);
        var admin = users["admin@demo.test"];

        var rollout = new Rollout
        {
            Name = "Windows 11 Refresh",
            Identifier = RolloutIdentifier,
            ClientLimit = 5000,
            CreatedAt = now,
            Members = users.Values.Select(u => new RolloutMember { User = u }).ToList(),
        };
        var laptops = Inventory(rollout, "Laptops", workflow, laptopFields, now);
        var monitors = Inventory(rollout, "Monitors", workflow, monitorFields, now);
        var other = new Rollout
        {
            Name = "Server Migration",
            Identifier = OtherRolloutIdentifier,
            CreatedAt = now,
            Members = [new RolloutMember { User = users["admin@demo.test"] }],
        };
        var servers = Inventory(other, "Servers", workflow, [location, serial], now);
        db.AddRange(laptops, monitors, servers);
        // Clients refer to their inventory and rollout by id.
        await db.SaveChangesAsync(cancellationToken);

        var technician = users["technician@demo.test"];
        var clientUser = users["clientuser@demo.test"];
        string[] departments = ["Finance", "HR", "IT", "Sales", "Operations"];
        var laptopClients = Enumerable.Range(1, 40).Select(i => new Client
        {
            RolloutId = rollout.Id,
            InventoryId = laptops.Id,
            Name = $"LT-{i:0000}",
            StatusId = workflow.Statuses[i % 4].Id,
            AssigneeId = i % 3 == 0 ? null : technician.Id,
            ClientUserId = i % 2 == 0 ? clientUser.Id : null,
            Description = $"Laptop of desk {i}",
            Flag = i % 13 == 0 ? "Docking station missing" : null,
            CreatedAt = now,
            CreatedById = admin.Id,
            UpdatedAt = now,
            Values = Values(
                (location, [$"Building {(char)('A' + (i % 3))}, room {100 + i}"]),
                (model, [model.Options[i % 4].Name]),
                (software, i % 2 == 0 ? ["Office", "Teams"] : ["Office", "VPN", "SAP GUI"]),
                (tags, i % 5 == 0 ? ["VIP"] : []),
                (serial, [$"SN{100000 + i}"]),
                (department, [departments[i % 5]]),
                (notes, i % 7 == 0 ? ["Call the user before the visit.\nKeys at reception."] : [])),
        }).ToList();
        var monitorClients = Enumerable.Range(1, 10).Select(i => new Client
        {
            RolloutId = rollout.Id,
            InventoryId = monitors.Id,
            Name = $"MON-{i:0000}",
            StatusId = workflow.Statuses[0].Id,
            AssigneeId = technician.Id,
            CreatedAt = now,
            CreatedById = admin.Id,
            UpdatedAt = now,
            Values = Values(
                (location, laptopClients[i - 1].Values[location.Id]),
                (department, laptopClients[i - 1].Values[department.Id]),
                (serial, [$"SN{200000 + i}"])),
        }).ToList();
        db.Clients.AddRange(laptopClients);
        db.Clients.AddRange(monitorClients);

        var usedWith = new ClientLinkType
        {
            OutwardName = "is used with",
            InwardName = "is used with",
            IsAdvanced = true,
            SharedFields = [new() { CustomField = location }, new() { CustomField = department }],
        };
        var replaces = new ClientLinkType { OutwardName = "replaces", InwardName = "is replaced by" };
        db.ClientLinkTypes.AddRange(usedWith, replaces);
        for (var i = 0; i < 3; i++)
        {
            var link = new ClientLink
            {
                LinkType = usedWith,
                SourceClient = laptopClients[i],
                TargetClient = monitorClients[i],
                CreatedAt = now,
            };
            db.ClientLinks.Add(link);
            db.AdvancedLinkMemberships.AddRange(
                new AdvancedLinkMembership { Client = laptopClients[i], ClientLink = link },
                new AdvancedLinkMembership { Client = monitorClients[i], ClientLink = link });
        }

        db.ClientLinks.Add(new ClientLink
        {
            LinkType = replaces, SourceClient = laptopClients[39], TargetClient = laptopClients[38], CreatedAt = now,
        });

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<Dictionary<string, User>> EnsureUsersAsync()
    {
        var result = new Dictionary<string, User>();
        var number = 0;
        foreach (var (email, name, role, keyAccountManager) in Users)
        {
            number++;
            var user = await userManager.FindByEmailAsync(email);
            if (user is null)
            {
                user = new User
                {
                    UserName = email,
                    Email = email,
                    EmailConfirmed = true,
                    DisplayName = name,
                    UserCode = $"U-{number:0000}",
                    Role = role,
                    IsKeyAccountManager = keyAccountManager,
                };
                var created = await userManager.CreateAsync(user, Password);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException($"Demo user {email} could not be created: " +
                        string.Join(" ", created.Errors.Select(e => e.Description)));
                }
            }

            result[email] = user;
        }

        return result;
    }

    private static Dictionary<int, string[]> Values(params (CustomField Field, string[] Value)[] values) =>
        values.Where(v => v.Value.Length > 0).ToDictionary(v => v.Field.Id, v => v.Value);

    private static CustomField Field(string name, CustomFieldType type, string description, params string[] options) =>
        new()
        {
            Name = name,
            Type = type,
            Description = description,
            Options = options.Select((o, i) => new CustomFieldOption { Name = o, Position = i }).ToList(),
        };

    private static Inventory Inventory(
        Rollout rollout, string name, Workflow workflow, IEnumerable<CustomField> fields, DateTimeOffset now) => new()
    {
        Rollout = rollout,
        Name = name,
        Workflow = workflow,
        CreatedAt = now,
        CustomFields = fields.Select((f, i) => new InventoryCustomField { CustomField = f, Position = i }).ToList(),
    };
}

using System.IO.Compression;
using System.Xml.Linq;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reports;

namespace Rollouter.Import.Tests.Reports;

/// <summary>
/// Fourth QA pass: a selection field with a 200-character name gave its dropdown an error title of 200 characters;
/// Excel allows 32 (and 255 for a message) and reports such a file as damaged ("We found a problem with some content").
/// </summary>
public sealed class ImportTemplateLimitsTests
{
    [Fact]
    public void LongFieldAndWorkflowNames_StayWithinExcelsDataValidationLimits()
    {
        var inventory = new InventoryDefinition
        {
            InventoryId = 1,
            InventoryName = "Laptops",
            RolloutId = 1,
            WorkflowName = new string('w', 200),
            Statuses = [new WorkflowStatus { Id = 1, Name = "New" }],
            CustomFields =
            [
                new CustomField
                {
                    Id = 1, Name = new string('n', 199) + "!", Type = CustomFieldType.Selection,
                    Options = [new CustomFieldOption { Name = "A" }, new CustomFieldOption { Name = "B" }],
                },
                new CustomField
                {
                    // An emoji where the title is cut: shortened before it, never halved (a lone surrogate is no XML).
                    Id = 2, Name = new string('e', 30) + "😀 tail", Type = CustomFieldType.Selection,
                    Options = [new CustomFieldOption { Name = "C" }],
                },
            ],
        };
        using var output = new MemoryStream();

        ImportTemplate.Write(inventory, output);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));
        var sheet = XDocument.Load(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        var validations = sheet.Descendants().Where(e => e.Name.LocalName == "dataValidation").ToList();
        Assert.Equal(3, validations.Count);
        foreach (var validation in validations)
        {
            foreach (var (attribute, max) in new[] { ("errorTitle", 32), ("promptTitle", 32), ("error", 255), ("prompt", 255) })
            {
                var value = (string?)validation.Attribute(attribute) ?? "";
                Assert.True(value.Length <= max, $"{attribute} has {value.Length} characters: {value}");
            }
        }

        Assert.Contains(validations, v => ((string?)v.Attribute("errorTitle"))?.StartsWith("nnnn", StringComparison.Ordinal) == true);
        Assert.Contains(validations, v => (string?)v.Attribute("errorTitle") == new string('e', 30) + "…");
    }
}

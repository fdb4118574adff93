using ClosedXML.Excel;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Importing.Reports;

/// <summary>
/// An inventory's import template: one sheet "Clients" whose header row holds the default fields and the inventory's
/// custom fields in order, with the names the automatic mapping maps back exactly; a comment on each header says
/// what the column takes (required, pattern, separator). Status and selection columns have dropdowns (data
/// validation) whose lists live on the hidden sheet <see cref="ListsSheet"/>; a "Help" sheet explains the rules.
/// </summary>
public static class ImportTemplate
{
    public const string DataSheet = "Clients";

    public const string HelpSheet = "Help";

    public const string ListsSheet = "Lists";

    /// <summary>Rows below the header that get the dropdowns.</summary>
    public const int ValidatedRows = 10_000;

    /// <summary>
    /// Excel's limits for a data validation's error and prompt title and message: past them it reports the file as
    /// damaged ("We found a problem with some content"), so a long field or workflow name is shortened there.
    /// </summary>
    public const int MaxValidationTitle = 32;

    public const int MaxValidationMessage = 255;

    /// <summary>Excel's built-in number format "@", Text: a value typed into the cell is kept as typed.</summary>
    public const int TextFormatId = 49;

    /// <summary>A column's width (in characters) in the template and the export, from its header.</summary>
    public static double ColumnWidth(string header) => Math.Clamp((header ?? "").Length + 4, 14, 40);

    public static string FileName(string inventoryName)
    {
        var cleaned = new string([.. (inventoryName ?? "").Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        return (cleaned.Length == 0 ? "inventory" : cleaned) + "-import-template.xlsx";
    }

    /// <summary>The header row of the template, in order.</summary>
    public static IReadOnlyList<string> Headers(InventoryDefinition inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        string[] defaults = [DefaultFields.Name, DefaultFields.Status, DefaultFields.Assignee, DefaultFields.ClientUser,
            DefaultFields.Description, DefaultFields.ClientFlag];
        return [.. defaults.Select(DefaultFields.DisplayName), .. inventory.CustomFields.Select(f => f.Name)];
    }

    public static void Write(InventoryDefinition inventory, Stream output)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(output);
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet(DataSheet);
        var help = workbook.AddWorksheet(HelpSheet);
        var lists = workbook.AddWorksheet(ListsSheet);
        lists.Visibility = XLWorksheetVisibility.Hidden;

        var headers = Headers(inventory);
        var notes = new List<(string Header, string Note)>();
        var listColumn = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            var column = i + 1;
            SetText(sheet.Cell(1, column), headers[i]);
            sheet.Column(column).Width = ColumnWidth(headers[i]);
            // Text (@) for the whole column, so Excel keeps "00124", "1-2" or a 20-digit serial number as typed
            // instead of converting it into a number or a date (decision 0176).
            sheet.Column(column).Style.NumberFormat.NumberFormatId = TextFormatId;
            var field = i >= 6 ? inventory.CustomFields[i - 6] : null;
            var note = field is null ? DefaultNote(i) : FieldNote(field);
            notes.Add((headers[i], note));
            sheet.Cell(1, column).Comment.AddText(note);

            IReadOnlyList<string>? values = i == 1
                ? [.. inventory.Statuses.Select(s => s.Name)]
                : field is { HasOptions: true } ? [.. field.Options.Select(o => o.Name)] : null;
            if (values is null || values.Count == 0)
            {
                continue;
            }

            listColumn++;
            SetText(lists.Cell(1, listColumn), headers[i]);
            for (var v = 0; v < values.Count; v++)
            {
                SetText(lists.Cell(v + 2, listColumn), values[v]);
            }

            var validation = sheet.Range(2, column, ValidatedRows + 1, column).SetDataValidation();
            validation.List(lists.Range(2, listColumn, values.Count + 1, listColumn), true);
            validation.IgnoreBlanks = true;
            if (field is { Type: CustomFieldType.MultiSelection })
            {
                // Several values go in one cell, separated by ";": the list offers one, typing more must stay possible.
                validation.ShowErrorMessage = false;
            }
            else
            {
                validation.ShowErrorMessage = true;
                validation.ErrorStyle = i == 1 ? XLErrorStyle.Stop : XLErrorStyle.Warning;
                validation.ErrorTitle = Shorten(headers[i], MaxValidationTitle);
                validation.ErrorMessage = Shorten(i == 1
                    ? $"Choose one of the statuses of the workflow \"{inventory.WorkflowName}\"."
                    : $"Choose one of the options of {headers[i]}.", MaxValidationMessage);
            }
        }

        var header = sheet.Row(1);
        header.Style.Font.Bold = true;
        header.Style.Fill.BackgroundColor = XLColor.FromArgb(0xDD, 0xEB, 0xF7);
        sheet.SheetView.FreezeRows(1);

        SetText(help.Cell(1, 1), $"Import template of the inventory \"{inventory.InventoryName}\"");
        help.Cell(1, 1).Style.Font.Bold = true;
        SetText(help.Cell(2, 1), "Fill in one client per row on the sheet \"Clients\"; keep its header row as it is. "
            + "Rows whose Name exists already fail unless the import updates existing clients.");
        SetText(help.Cell(4, 1), "Column");
        SetText(help.Cell(4, 2), "What it takes");
        help.Row(4).Style.Font.Bold = true;
        for (var n = 0; n < notes.Count; n++)
        {
            SetText(help.Cell(n + 5, 1), notes[n].Header);
            SetText(help.Cell(n + 5, 2), notes[n].Note);
        }

        help.Column(1).Width = 24;
        help.Column(2).Width = 100;
        sheet.SetTabActive();
        workbook.SaveAs(output);
    }

    private static string DefaultNote(int index) => index switch
    {
        0 => "Required. The client's name, unique in the rollout (case is ignored).",
        1 => "Optional. One of the workflow's statuses, exactly as listed; empty = the first status.",
        2 => "Optional. The assigned technician's email address.",
        3 => "Optional. The client user's email address.",
        4 => "Optional. Free text.",
        5 => "Optional. A red note shown on top of the client.",
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "The default columns are the first six."),
    };

    private static string FieldNote(CustomField field)
    {
        var parts = new List<string> { field.Required ? "Required." : "Optional." };
        parts.Add(field.Type switch
        {
            CustomFieldType.Selection => "One of the listed options.",
            CustomFieldType.MultiSelection => "One or more of the listed options, separated by \";\".",
            CustomFieldType.MultiSelectionFree => "One or more values, separated by \";\".",
            CustomFieldType.TextArea => "Free text; line breaks are kept.",
            _ => "Free text.",
        });
        if (!string.IsNullOrEmpty(field.ValidationRegex))
        {
            parts.Add($"Must match the pattern {field.ValidationRegex}.");
        }

        if (!string.IsNullOrWhiteSpace(field.Description))
        {
            parts.Add(field.Description.Trim());
        }

        return string.Join(" ", parts);
    }

    /// <summary>At most <paramref name="max"/> characters, ending in "…" when cut (never inside a surrogate pair).</summary>
    private static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var keep = max - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }

    /// <summary>Stores the text as text, never as a number, date or formula; a formula-like text gets the quote prefix.</summary>
    private static void SetText(IXLCell cell, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        cell.SetValue(text);
        cell.DataType = XLDataType.Text;
        if (XlsxStreamWriter.LooksLikeFormula(text))
        {
            cell.Style.IncludeQuotePrefix = true;
        }
    }
}

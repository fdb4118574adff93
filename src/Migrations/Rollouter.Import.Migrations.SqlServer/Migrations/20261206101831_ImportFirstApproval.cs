using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ImportFirstApproval : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "FirstApprovedAt",
                table: "Imports",
                type: "datetimeoffset",
                nullable: true);

            // Every import approved before: it ran (decision 0062). One moved back from Failed by a changed mapping
            // before this version had its approval cleared, and stays discardable.
            migrationBuilder.Sql("UPDATE [Imports] SET [FirstApprovedAt] = [ApprovedAt] WHERE [ApprovedAt] IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FirstApprovedAt",
                table: "Imports");
        }
    }
}

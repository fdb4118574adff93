using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ImportSkippedRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "SkippedRowCount",
                table: "Imports",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SkippedRows",
                table: "Imports",
                type: "character varying(1100)",
                maxLength: 1100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SkippedRowCount",
                table: "Imports");

            migrationBuilder.DropColumn(
                name: "SkippedRows",
                table: "Imports");
        }
    }
}

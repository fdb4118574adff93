using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ImportIdempotencyKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "Imports",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Imports_RolloutId_CreatedById_IdempotencyKey",
                table: "Imports",
                columns: new[] { "RolloutId", "CreatedById", "IdempotencyKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_RolloutId_CreatedById_IdempotencyKey",
                table: "Imports");

            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "Imports");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RevertIdempotencyKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_RevertedById",
                table: "Imports");

            migrationBuilder.AddColumn<string>(
                name: "RevertIdempotencyKey",
                table: "Imports",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Imports_RevertedById_RevertIdempotencyKey",
                table: "Imports",
                columns: new[] { "RevertedById", "RevertIdempotencyKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_RevertedById_RevertIdempotencyKey",
                table: "Imports");

            migrationBuilder.DropColumn(
                name: "RevertIdempotencyKey",
                table: "Imports");

            migrationBuilder.CreateIndex(
                name: "IX_Imports_RevertedById",
                table: "Imports",
                column: "RevertedById");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ImportLastActivity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastActivityAt",
                table: "Imports",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // The latest activity of the imports there are: their last run's finish, or their creation (the reviews' order).
            migrationBuilder.Sql("""UPDATE "Imports" SET "LastActivityAt" = COALESCE("FinishedAt", "CreatedAt");""");

            migrationBuilder.CreateIndex(
                name: "IX_Imports_LastActivityAt_Id",
                table: "Imports",
                columns: new[] { "LastActivityAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Imports_Status_LastActivityAt_Id",
                table: "Imports",
                columns: new[] { "Status", "LastActivityAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_LastActivityAt_Id",
                table: "Imports");

            migrationBuilder.DropIndex(
                name: "IX_Imports_Status_LastActivityAt_Id",
                table: "Imports");

            migrationBuilder.DropColumn(
                name: "LastActivityAt",
                table: "Imports");
        }
    }
}

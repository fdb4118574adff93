using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ClientsByCreatingImport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Clients_CreatedByImportId",
                table: "Clients",
                column: "CreatedByImportId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Clients_CreatedByImportId",
                table: "Clients");
        }
    }
}

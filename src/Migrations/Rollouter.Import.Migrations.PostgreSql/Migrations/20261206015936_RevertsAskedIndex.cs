using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class RevertsAskedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Imports_RevertsAsked",
                table: "Imports",
                columns: new[] { "Status", "RevertRequestedAt" },
                filter: "\"Status\" = 'Completed' AND \"RevertRequestedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_RevertsAsked",
                table: "Imports");
        }
    }
}

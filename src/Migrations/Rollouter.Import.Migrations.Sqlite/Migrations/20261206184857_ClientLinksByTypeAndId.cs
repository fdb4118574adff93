using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ClientLinksByTypeAndId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientLinks_ClientLinkTypeId",
                table: "ClientLinks");

            migrationBuilder.CreateIndex(
                name: "IX_ClientLinks_ClientLinkTypeId_Id",
                table: "ClientLinks",
                columns: new[] { "ClientLinkTypeId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientLinks_ClientLinkTypeId_Id",
                table: "ClientLinks");

            migrationBuilder.CreateIndex(
                name: "IX_ClientLinks_ClientLinkTypeId",
                table: "ClientLinks",
                column: "ClientLinkTypeId");
        }
    }
}

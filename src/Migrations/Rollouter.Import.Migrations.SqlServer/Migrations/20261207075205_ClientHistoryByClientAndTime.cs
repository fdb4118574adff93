using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ClientHistoryByClientAndTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientHistory_ClientId",
                table: "ClientHistory");

            migrationBuilder.CreateIndex(
                name: "IX_ClientHistory_ClientId_At_Id",
                table: "ClientHistory",
                columns: new[] { "ClientId", "At", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientHistory_ClientId_At_Id",
                table: "ClientHistory");

            migrationBuilder.CreateIndex(
                name: "IX_ClientHistory_ClientId",
                table: "ClientHistory",
                column: "ClientId");
        }
    }
}

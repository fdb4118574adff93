using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class NameKeysKept : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "NameKeysKept",
                columns: table => new
                {
                    ClientId = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NameKeysKept", x => x.ClientId);
                });

            // Client 0 (no client has that id) marks the clients the name-key rewrite kept on their old key as still to be
            // found: the next start passes over the clients once and keeps their ids here instead, or, when it rewrites
            // the keys itself, keeps those it kept (Rollouter.Import.Data.NameKeysAsSeen.NotYetFound, decision 0064).
            migrationBuilder.InsertData(
                table: "NameKeysKept",
                column: "ClientId",
                value: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "NameKeysKept");
        }
    }
}

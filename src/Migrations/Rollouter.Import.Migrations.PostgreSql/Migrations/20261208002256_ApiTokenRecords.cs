using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ApiTokenRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsApiToken",
                table: "UserSessions",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsApiToken",
                table: "UserSessions");
        }
    }
}

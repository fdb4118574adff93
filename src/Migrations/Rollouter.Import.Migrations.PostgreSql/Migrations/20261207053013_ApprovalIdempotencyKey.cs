using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ApprovalIdempotencyKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_ApprovedById",
                table: "Imports");

            migrationBuilder.DropIndex(
                name: "IX_ImportRuns_ApprovedById",
                table: "ImportRuns");

            migrationBuilder.AddColumn<string>(
                name: "ApprovalIdempotencyKey",
                table: "Imports",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ApprovalIdempotencyKey",
                table: "ImportRuns",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Imports_ApprovedById_ApprovalIdempotencyKey",
                table: "Imports",
                columns: new[] { "ApprovedById", "ApprovalIdempotencyKey" });

            migrationBuilder.CreateIndex(
                name: "IX_ImportRuns_ApprovedById_ApprovalIdempotencyKey",
                table: "ImportRuns",
                columns: new[] { "ApprovedById", "ApprovalIdempotencyKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Imports_ApprovedById_ApprovalIdempotencyKey",
                table: "Imports");

            migrationBuilder.DropIndex(
                name: "IX_ImportRuns_ApprovedById_ApprovalIdempotencyKey",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "ApprovalIdempotencyKey",
                table: "Imports");

            migrationBuilder.DropColumn(
                name: "ApprovalIdempotencyKey",
                table: "ImportRuns");

            migrationBuilder.CreateIndex(
                name: "IX_Imports_ApprovedById",
                table: "Imports",
                column: "ApprovedById");

            migrationBuilder.CreateIndex(
                name: "IX_ImportRuns_ApprovedById",
                table: "ImportRuns",
                column: "ApprovedById");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class InventoryHiddenFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InventoryHiddenFields",
                columns: table => new
                {
                    InventoryId = table.Column<int>(type: "integer", nullable: false),
                    CustomFieldId = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InventoryHiddenFields", x => new { x.InventoryId, x.CustomFieldId });
                    table.ForeignKey(
                        name: "FK_InventoryHiddenFields_CustomFields_CustomFieldId",
                        column: x => x.CustomFieldId,
                        principalTable: "CustomFields",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_InventoryHiddenFields_Inventories_InventoryId",
                        column: x => x.InventoryId,
                        principalTable: "Inventories",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InventoryHiddenFields_CustomFieldId",
                table: "InventoryHiddenFields",
                column: "CustomFieldId");

            // The fields already taken off inventories whose clients hold values of them (a stored value's key is
            // the field's id: {"7":[...]}).
            migrationBuilder.Sql("""
                INSERT INTO "InventoryHiddenFields" ("InventoryId", "CustomFieldId")
                SELECT i."Id", f."Id" FROM "Inventories" i CROSS JOIN "CustomFields" f
                WHERE NOT EXISTS (SELECT 1 FROM "InventoryCustomFields" u WHERE u."InventoryId" = i."Id" AND u."CustomFieldId" = f."Id")
                AND EXISTS (SELECT 1 FROM "Clients" c WHERE c."InventoryId" = i."Id" AND c."Values" LIKE '%"' || f."Id"::text || '":%');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InventoryHiddenFields");
        }
    }
}

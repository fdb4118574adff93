using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NameKeysAsSeen : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Changes no table: it records that the name keys stored before names were compared as seen were rewritten
            // (Rollouter.Import.Data.NameKeysAsSeen, run by the start-up just before this migration is applied).
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}

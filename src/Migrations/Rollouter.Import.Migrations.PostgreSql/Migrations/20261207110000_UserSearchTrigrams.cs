using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rollouter.Import.Migrations.PostgreSql.Migrations
{
    /// <summary>
    /// The users lists' search (a text anywhere in the name, email or user ID, ignoring case: UserSearch.Matching) reads
    /// this trigram index instead of folding every user (decision 0130). The expressions are the ones the search's
    /// statement folds (lower(...)), so the index is not in the model: EF Core has no expression indexes.
    /// </summary>
    public partial class UserSearchTrigrams : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
                CREATE INDEX "IX_AspNetUsers_Search" ON "AspNetUsers" USING gin
                    (lower("DisplayName") gin_trgm_ops, lower("Email") gin_trgm_ops, lower("UserCode") gin_trgm_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_AspNetUsers_Search";""");
        }
    }
}

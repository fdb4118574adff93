-- The other axes of a big customer (bench/scale-axes/README.md): users, rollouts, memberships, imports, client history,
-- sessions. Run on a database the app has migrated and seeded with its demo data (Development), on PostgreSQL:
--   psql -v ON_ERROR_STOP=1 -d rollouter_scale -f bench/scale-axes/seed-postgres.sql
-- Keeps the app's invariants: normalized email/user name in upper case (Identity's), unique user IDs, a security stamp
-- per user, each inventory's kept ClientCount (no clients are added here), LastActivityAt of each import.
BEGIN;

-- 50,000 users: mostly client users, some technicians and rollout managers; a few key account managers.
INSERT INTO "AspNetUsers" ("DisplayName", "UserCode", "Role", "IsKeyAccountManager", "IsActive", "UserName",
    "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PasswordHash", "SecurityStamp",
    "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
SELECT 'Person ' || lpad(g::text, 5, '0') || ' ' || (ARRAY['Müller','Schmidt','Schneider','Fischer','Weber','Meyer','Wagner','Becker'])[1 + g % 8],
       'S-' || lpad(g::text, 6, '0'),
       CASE WHEN g % 50 = 0 THEN 'RolloutManager' WHEN g % 10 = 0 THEN 'Technician' ELSE 'ClientUser' END,
       g % 500 = 0, g % 97 <> 0,
       'person' || g || '@scale.test', upper('person' || g || '@scale.test'),
       'person' || g || '@scale.test', upper('person' || g || '@scale.test'),
       true, NULL, upper(md5('stamp' || g)), gen_random_uuid()::text, false, false, true, 0
FROM generate_series(1, 50000) g;

-- 2,000 rollouts, each with one inventory on the demo's first workflow.
INSERT INTO "Rollouts" ("Name", "Identifier", "ClientLimit", "CreatedAt")
SELECT 'Rollout ' || lpad(g::text, 4, '0') || ' ' || (ARRAY['Laptops','Servers','Printers','Phones'])[1 + g % 4],
       'R' || lpad(g::text, 4, '0'), NULL, now() - make_interval(days => g % 365)
FROM generate_series(1, 2000) g;

INSERT INTO "Inventories" ("RolloutId", "Name", "WorkflowId", "CreatedAt", "ClientCount")
SELECT r."Id", 'Devices', (SELECT min("Id") FROM "Workflows"), now(), 0
FROM "Rollouts" r WHERE r."Identifier" LIKE 'R____';

-- Memberships: each new user in one or two of the new rollouts (~75,000); W11 (the demo's) with 5,000 members; the demo
-- manager (manager@demo.test) and technician in 500 rollouts each.
INSERT INTO "RolloutMembers" ("RolloutId", "UserId")
SELECT r."Id", u."Id" FROM "AspNetUsers" u
JOIN "Rollouts" r ON r."Identifier" = 'R' || lpad((1 + (substr(u."UserCode", 3)::int % 2000))::text, 4, '0')
WHERE u."UserCode" LIKE 'S-%';
INSERT INTO "RolloutMembers" ("RolloutId", "UserId")
SELECT r."Id", u."Id" FROM "AspNetUsers" u
JOIN "Rollouts" r ON r."Identifier" = 'R' || lpad((1 + (substr(u."UserCode", 3)::int * 7 % 2000))::text, 4, '0')
WHERE u."UserCode" LIKE 'S-%' AND substr(u."UserCode", 3)::int % 2 = 0
ON CONFLICT DO NOTHING;
INSERT INTO "RolloutMembers" ("RolloutId", "UserId")
SELECT (SELECT "Id" FROM "Rollouts" WHERE "Identifier" = 'W11'), u."Id" FROM "AspNetUsers" u
WHERE u."UserCode" LIKE 'S-%' AND substr(u."UserCode", 3)::int <= 5000
ON CONFLICT DO NOTHING;
INSERT INTO "RolloutMembers" ("RolloutId", "UserId")
SELECT r."Id", u."Id" FROM "Rollouts" r CROSS JOIN "AspNetUsers" u
WHERE r."Identifier" LIKE 'R____' AND substr(r."Identifier", 2)::int <= 500
  AND u."Email" IN ('manager@demo.test', 'technician@demo.test', 'kam@demo.test')
ON CONFLICT DO NOTHING;

-- 20,000 imports in W11's history, on its first inventory: completed, failed and reverted, created by its members.
INSERT INTO "Imports" ("RolloutId", "InventoryId", "Status", "FileName", "FileSize", "RowCount", "CreatedById", "CreatedAt",
    "ApprovedById", "ApprovedAt", "FirstApprovedAt", "StartedAt", "FinishedAt", "Attempt", "RowsChecked", "RowsWritten",
    "CreatedCount", "UpdatedCount", "FailedRowCount", "ConcurrencyStamp", "LastActivityAt")
SELECT w."Id", (SELECT min("Id") FROM "Inventories" WHERE "RolloutId" = w."Id"),
       CASE WHEN g % 10 = 0 THEN 'Failed' WHEN g % 37 = 0 THEN 'Reverted' ELSE 'Completed' END,
       'laptops-week-' || g || '.xlsx', 20000 + g, 100, 2, t, 2, t + interval '1 minute', t + interval '1 minute',
       t + interval '1 minute', t + interval '2 minutes', 1, 100, CASE WHEN g % 10 = 0 THEN 0 ELSE 100 END,
       CASE WHEN g % 10 = 0 THEN 0 ELSE 100 END, 0, CASE WHEN g % 10 = 0 THEN 3 ELSE 0 END, gen_random_uuid(),
       t + interval '2 minutes'
FROM generate_series(1, 20000) g
CROSS JOIN LATERAL (SELECT now() - make_interval(mins => (20001 - g) * 30) AS t) tt
CROSS JOIN (SELECT "Id" FROM "Rollouts" WHERE "Identifier" = 'W11') w;

-- 3,000,000 client history entries: the 40 demo clients of W11's first inventory, each changed by many imports.
INSERT INTO "ClientHistory" ("ClientId", "At", "UserId", "ImportId", "Action", "Changes")
SELECT c."Id", now() - make_interval(secs => g), 2, i0 + (g % 20000), 'Changed', '[{"Field":"Description","Old":"a' || g || '","New":"b' || g || '"}]'
FROM generate_series(1, 75000) g CROSS JOIN (SELECT "Id" FROM "Clients" ORDER BY "Id" LIMIT 40) c
CROSS JOIN (SELECT min("Id") AS i0 FROM "Imports" WHERE "FileName" LIKE 'laptops-week-%') i;

-- 5,000 sessions of the new users.
INSERT INTO "UserSessions" ("Id", "UserId", "CreatedAt", "LastSeenAt", "ExpiresAt")
SELECT md5('session' || u."Id"), u."Id", now(), now(), now() + interval '8 hours'
FROM "AspNetUsers" u WHERE u."UserCode" LIKE 'S-%' AND substr(u."UserCode", 3)::int <= 5000;

COMMIT;
ANALYZE;

-- The SQL every method of UsersRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- UsersRepository.deleteUser [mysql]
DELETE FROM `users` WHERE `id` = ?;

-- UsersRepository.deleteUser [sqlite]
DELETE FROM "users" WHERE "id" = ?;

-- UsersRepository.findUser [mysql]
SELECT `User`.`id` AS `User_id`, `User`.`oto_number` AS `User_oto_number`, `User`.`membership_stage` AS `User_membership_stage`, `User`.`role` AS `User_role`, `User`.`first_seen_at` AS `User_first_seen_at`, `User`.`last_seen_at` AS `User_last_seen_at` FROM `users` `User` WHERE ((`User`.`id` = ?)) LIMIT 1;

-- UsersRepository.findUser [sqlite]
SELECT "User"."id" AS "User_id", "User"."oto_number" AS "User_oto_number", "User"."membership_stage" AS "User_membership_stage", "User"."role" AS "User_role", "User"."first_seen_at" AS "User_first_seen_at", "User"."last_seen_at" AS "User_last_seen_at" FROM "users" "User" WHERE (("User"."id" = ?)) LIMIT 1;

-- UsersRepository.holderOf [mysql]
SELECT `User`.`id` AS `User_id` FROM `users` `User` WHERE ((`User`.`oto_number` = ?)) LIMIT 1;

-- UsersRepository.holderOf [sqlite]
SELECT "User"."id" AS "User_id" FROM "users" "User" WHERE (("User"."oto_number" = ?)) LIMIT 1;

-- UsersRepository.insertUser [mysql]
INSERT INTO `users`(`id`, `oto_number`, `membership_stage`, `role`, `first_seen_at`, `last_seen_at`) VALUES (?, ?, ?, ?, ?, ?);

-- UsersRepository.insertUser [sqlite]
INSERT INTO "users"("id", "oto_number", "membership_stage", "role", "first_seen_at", "last_seen_at") VALUES (?, ?, ?, ?, ?, ?);

-- UsersRepository.otoNumbersOf [mysql]
SELECT `User`.`id` AS `User_id`, `User`.`oto_number` AS `User_oto_number` FROM `users` `User` WHERE ((`User`.`id` IN (?, …)));

-- UsersRepository.otoNumbersOf [sqlite]
SELECT "User"."id" AS "User_id", "User"."oto_number" AS "User_oto_number" FROM "users" "User" WHERE (("User"."id" IN (?, …)));

-- UsersRepository.touchUsers [mysql]
UPDATE `users` SET `last_seen_at` = ? WHERE `id` IN (?, …);

-- UsersRepository.touchUsers [sqlite]
UPDATE "users" SET "last_seen_at" = ? WHERE "id" IN (?, …);

-- UsersRepository.updateUser [mysql]
UPDATE `users` SET `membership_stage` = ?, `role` = ?, `last_seen_at` = ?, `oto_number` = ? WHERE `id` = ?;

-- UsersRepository.updateUser [sqlite]
UPDATE "users" SET "membership_stage" = ?, "role" = ?, "last_seen_at" = ?, "oto_number" = ? WHERE "id" = ?;

-- UsersRepository.userExists [mysql]
SELECT 1 AS `row_exists` FROM (SELECT 1 AS dummy_column) `dummy_table` WHERE EXISTS (SELECT 1 FROM `users` `User` WHERE ((`User`.`id` = ?))) LIMIT 1;

-- UsersRepository.userExists [sqlite]
SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "users" "User" WHERE (("User"."id" = ?))) LIMIT 1;

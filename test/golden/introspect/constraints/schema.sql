-- Primary keys, uniques, checks and foreign keys, across schemas, with every option that has a catalog fact.
CREATE SCHEMA billing;
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  code text NOT NULL,
  region text,
  "Select" integer,
  CONSTRAINT accounts_code_region_key UNIQUE (region, code),
  CONSTRAINT "Accounts Code Positive" CHECK (char_length(code) > 0),
  CONSTRAINT accounts_select_check CHECK ("Select" IS NULL OR "Select" BETWEEN 1 AND 10) NO INHERIT
);
COMMENT ON CONSTRAINT accounts_pkey ON accounts IS 'the key';
COMMENT ON CONSTRAINT "Accounts Code Positive" ON accounts IS 'codes are never empty';
ALTER TABLE accounts ADD CONSTRAINT accounts_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE accounts ADD CONSTRAINT accounts_region_key UNIQUE (region) DEFERRABLE;
ALTER TABLE accounts ADD CONSTRAINT accounts_region_check CHECK (region IN ('eu', 'us')) NOT VALID;

CREATE TABLE billing."Invoice" (
  id integer,
  account_id bigint,
  account_code text,
  account_region text,
  parent_id integer,
  status text DEFAULT 'open',
  CONSTRAINT "Invoice_pk" PRIMARY KEY (id),
  CONSTRAINT invoice_account_fk FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE CASCADE ON UPDATE RESTRICT,
  CONSTRAINT invoice_code_fk FOREIGN KEY (account_region, account_code) REFERENCES public.accounts (region, code) MATCH FULL ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT invoice_parent_fk FOREIGN KEY (parent_id) REFERENCES billing."Invoice" (id) ON DELETE SET DEFAULT DEFERRABLE,
  CONSTRAINT invoice_status_check CHECK (status = ANY (ARRAY['open', 'paid']))
);
ALTER TABLE billing."Invoice" ADD CONSTRAINT invoice_account_again_fk FOREIGN KEY (parent_id) REFERENCES public.accounts (id) NOT VALID;
COMMENT ON CONSTRAINT invoice_account_fk ON billing."Invoice" IS 'who pays';

CREATE TABLE "order" (
  "user" bigint NOT NULL REFERENCES accounts,
  "group" integer NOT NULL,
  PRIMARY KEY ("group", "user")
);

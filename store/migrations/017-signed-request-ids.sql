-- Signed partner requests (docs/SECURITY.md 27). A partner signs each request with the private key of a
-- certificate registered for its machine client; the request names the certificate by the base64url
-- SHA-256 thumbprint of its DER form, which is unique across all clients.
alter table machine_client_certificates add column thumbprint_s256 text;
alter table machine_client_certificates add column certificate_pem text;
alter table machine_client_certificates add constraint machine_client_certificates_pem_with_thumbprint
  check ((thumbprint_s256 is null) = (certificate_pem is null));
create unique index machine_client_certificates_thumbprint on machine_client_certificates (thumbprint_s256);

-- Each signed request's `jti` is accepted once per client. Kept in the database so every replica refuses
-- a replay; a row outlives the 5-second `iat` window by far (replicas' clocks may disagree), and
-- housekeeping deletes it after `expires_at`.
create table signed_request_ids (
  client_id text not null references machine_clients (id),
  jti text not null,
  expires_at timestamptz not null,
  primary key (client_id, jti)
);
create index signed_request_ids_expiry on signed_request_ids (expires_at);

/*
 * tls.c: OpenSSL for HTTPS targets. One SSL_CTX per run, loaded once, so
 * the trust store is never read per target; per target an SSL with SNI and
 * OpenSSL's own host name check (SSL_set1_host), not a hand-rolled one.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "options.h"
#include "tls.h"
#include "util.h"

/*
 * The system trust store: the file (SSL_CERT_FILE, or OpenSSL's default)
 * read now, and the hashed directory (SSL_CERT_DIR, or the default) for
 * issuers the file lacks, by name, one stat each. Not OpenSSL's default
 * paths, whose third lookup lists the whole directory for every issuer it
 * misses, twice per handshake with an unknown CA. With -k, whose
 * verification fails nothing, the file alone, when there is one: on
 * Debian it holds every CA the directory does.
 */
static int
tls_load_system(SSL_CTX *ctx, int insecure)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	const char *dir = getenv(X509_get_default_cert_dir_env());
	int has_file;

	if (file == NULL)
		file = X509_get_default_cert_file();
	if (dir == NULL)
		dir = X509_get_default_cert_dir();
	has_file = access(file, R_OK) == 0;
	if (has_file && SSL_CTX_load_verify_file(ctx, file) != 1)
		return 0;
	if (has_file && insecure)
		return 1;
	/* Nothing is read yet: an empty or absent directory is no error. */
	if (SSL_CTX_load_verify_dir(ctx, dir) != 1 && !has_file)
		return 0;
	ERR_clear_error();
	return 1;
}

/*
 * Load cafile, or say why it cannot be: the system's reason when it
 * cannot be read, OpenSSL's when it holds no certificate it can use.
 * The file is looked at again only when loading it failed, so that it
 * is opened once.
 */
static int
tls_load_cafile(SSL_CTX *ctx, const char *cafile, char *err, size_t errlen)
{
	struct stat st;
	const char *why;

	if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) == 1)
		return 1;
	why = ERR_reason_error_string(ERR_peek_last_error());
	ERR_clear_error();
	if (stat(cafile, &st) == -1)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	snprintf(err, errlen, "cannot load the CA file: %s",
	    why != NULL ? why : "no certificate found");
	return 0;
}

/*
 * What the user chose: the ciphers, a client certificate, and ALPN's
 * "http/1.1" (what awget speaks; the server's choice is reported). 0 and
 * why in err if OpenSSL refuses one.
 */
static int
tls_ctx_choices(SSL_CTX *ctx, const struct options *o, char *err, size_t errlen)
{
	/* ALPN: what awget will speak; the server's choice is reported. */
	static const char *const alpns[] = {
	    [HTTP2_NO] = "\x08http/1.1",
	    [HTTP2_ALPN] = "\x02h2\x08http/1.1",
	    [HTTP2_PRIOR] = "\x02h2",
	};
	const char *alpn = alpns[o->http2];
	const char *what = NULL, *arg = "", *key;
	unsigned long e;

	key = o->key != NULL ? o->key : o->cert;
	if (o->ciphers != NULL && SSL_CTX_set_cipher_list(ctx, o->ciphers) != 1)
		what = "--ciphers", arg = o->ciphers;
	else if (o->tls13_ciphers != NULL &&
	    SSL_CTX_set_ciphersuites(ctx, o->tls13_ciphers) != 1)
		what = "--tls13-ciphers", arg = o->tls13_ciphers;
	else if (o->cert != NULL &&
	    SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
		what = "--cert", arg = o->cert;
	else if (o->cert != NULL &&
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		what = o->key != NULL ? "--key" : "--cert (its key)", arg = key;
	else if (SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)alpn,
	             (unsigned int)strlen(alpn)) != 0)
		what = "ALPN", arg = "h2";
	if (what == NULL)
		return 1;
	e = ERR_peek_last_error();
	ERR_clear_error();
	snprintf(err, errlen, "%s %s: %s", what, arg,
	    ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e)
	                                       : "refused");
	return 0;
}

SSL_CTX *
tls_ctx_new(const char *cafile, const struct options *o, char *err,
    size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "cannot create the TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx,
	    o->tls_min == 3 ? TLS1_3_VERSION : TLS1_2_VERSION);
	if (o->tls_max != 0)
		SSL_CTX_set_max_proto_version(ctx,
		    o->tls_max == 2 ? TLS1_2_VERSION : TLS1_3_VERSION);
	if (!tls_ctx_choices(ctx, o, err, errlen)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/*
	 * A server that closes without close_notify is a plain end of the
	 * stream to us, as to browsers: "closed before the end of the
	 * headers", not a TLS error. Read ahead: one read takes a whole
	 * flight of records, not a record header and then its body.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	if (cafile != NULL) {
		if (!tls_load_cafile(ctx, cafile, err, errlen)) {
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (tls_load_system(ctx, o->insecure) != 1) {
		/*
		 * An empty store is no failure here: a hashed directory
		 * (SSL_CERT_DIR) is read certificate by certificate as
		 * verification asks. fetch_start reads the store before the
		 * first HTTPS socket, so a full descriptor table is no cause.
		 */
		SSL_CTX_free(ctx);
		snprintf(err, errlen, "cannot load the system trust store");
		return NULL;
	}
	/*
	 * The chain and the name are checked in every handshake, and the
	 * handshake finishes whatever the verdict, which conn_tls.c then
	 * gives (unless -k): so a certificate that fails is still reported.
	 */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

void
tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

SSL *
tls_ssl_new(SSL_CTX *ctx, const char *host, int literal, const char *sni)
{
	X509_VERIFY_PARAM *param;
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	param = SSL_get0_param(ssl);
	/*
	 * --sni NAME: that name is sent, and the certificate checked for it
	 * (origin probing: an address, asked for a site); --sni '': none.
	 * RFC 6066: no SNI for an address; check it against the SAN.
	 */
	if (sni != NULL && sni[0] != '\0') {
		host = sni;
		literal = 0;
	}
	if (literal) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
			goto fail;
	} else if ((sni == NULL || sni[0] != '\0') &&
	    SSL_set_tlsext_host_name(ssl, host) != 1)
		goto fail;
	else if (SSL_set1_host(ssl, host) != 1)
		goto fail;
	/* Ask for a stapled OCSP response, to report whether one came. */
	if (SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp) != 1)
		goto fail;
	return ssl;
fail:
	SSL_free(ssl);
	return NULL;
}

const char *
tls_error(SSL *ssl, unsigned long err, char *msg, size_t len)
{
	long verify = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	const char *reason;

	/* With -k the result is kept but did not fail the handshake. */
	if (verify != X509_V_OK &&
	    ERR_GET_REASON(err) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
		snprintf(msg, len, "TLS: certificate verification failed: %s",
		    X509_verify_cert_error_string(verify));
		return msg;
	}
	reason = err != 0 ? ERR_reason_error_string(err) : NULL;
	/* OpenSSL's words for bytes that are no TLS record at all. */
	snprintf(msg, len, "TLS: handshake failed: %s%s",
	    reason != NULL ? reason : "connection closed",
	    ERR_GET_REASON(err) == SSL_R_WRONG_VERSION_NUMBER
	        ? " (the server does not speak TLS there)"
	        : "");
	return msg;
}

/* An X509 name or time printed into a memory BIO, as a JSON member. */
static void
tls_bio_member(struct buf *b, const char *name, BIO *bio)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);

	json_member(b, name, n > 0 ? p : "", n > 0 ? (size_t)n : 0);
	(void)BIO_reset(bio);
}

/* A subjectAltName entry's text: a DNS name's bytes as they are, an
 * address written out, or nothing for another kind. */
static const unsigned char *
tls_san_entry(const GENERAL_NAME *gn, char *addr, size_t addrlen, int *len)
{
	const ASN1_OCTET_STRING *ip = gn->d.iPAddress;

	if (gn->type == GEN_DNS) {
		*len = ASN1_STRING_length(gn->d.dNSName);
		return ASN1_STRING_get0_data(gn->d.dNSName);
	}
	if (gn->type == GEN_IPADD && (ip->length == 4 || ip->length == 16) &&
	    inet_ntop(ip->length == 4 ? AF_INET : AF_INET6, ip->data, addr,
	        addrlen) != NULL) {
		*len = (int)strlen(addr);
		return (const unsigned char *)addr;
	}
	*len = 0;
	return (const unsigned char *)"";
}

/*
 * "san": every DNS name and address of the certificate, uncut (the
 * certificate's size bounds them); and "san_b64", the same entries'
 * exact bytes, when a name is not valid UTF-8.
 */
static void
tls_san(struct buf *b, X509 *cert)
{
	GENERAL_NAMES *names;
	char addr[INET6_ADDRSTRLEN];
	const unsigned char *p;
	int i, n, len, lossy = 0;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	n = names != NULL ? sk_GENERAL_NAME_num(names) : 0;
	json_key(b, "san");
	buf_append(b, "[", 1);
	for (i = 0; i < n; i++) {
		p = tls_san_entry(sk_GENERAL_NAME_value(names, i), addr,
		    sizeof(addr), &len);
		if (i > 0)
			buf_append(b, ",", 1);
		lossy |= json_text(b, p, (size_t)len);
	}
	buf_append(b, "]", 1);
	if (lossy) {
		json_key(b, "san_b64");
		buf_append(b, "[", 1);
		for (i = 0; i < n; i++) {
			p = tls_san_entry(sk_GENERAL_NAME_value(names, i), addr,
			    sizeof(addr), &len);
			if (i > 0)
				buf_append(b, ",", 1);
			json_base64(b, p, (size_t)len);
		}
		buf_append(b, "]", 1);
	}
	GENERAL_NAMES_free(names);
}

/* "name":"TEXT" for a C string of ours (OpenSSL's names), or null. */
static void
tls_text(struct buf *b, const char *name, const char *text)
{
	if (text == NULL) {
		json_key(b, name);
		buf_append(b, "null", 4);
	} else
		json_member(b, name, text, strlen(text));
}

/* An ASN1_TIME as RFC 3339, in UTC: 2026-12-02T16:00:00Z. */
static void
tls_time(struct buf *b, const char *name, const ASN1_TIME *t)
{
	struct tm tm;
	char text[32];

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		tls_text(b, name, NULL);
	else
		tls_text(b, name, text);
}

/* The serial number in hex, as openssl x509 -serial writes it. */
static void
tls_serial(struct buf *b, X509 *cert)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	tls_text(b, "serial", hex);
	OPENSSL_free(hex);
	BN_free(bn);
}

/* The SHA-256 of the certificate's DER, in lower-case hex. */
static void
tls_sha256(struct buf *b, X509 *cert)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int n = 0, i;

	if (X509_digest(cert, EVP_sha256(), md, &n) != 1) {
		tls_text(b, "sha256", NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
	tls_text(b, "sha256", hex);
}

/* The public key: "RSA 2048", "EC P-256", "ED25519 256". */
static void
tls_key(struct buf *b, X509 *cert)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	char group[64], text[96];
	const char *name, *nist;
	size_t glen = 0;

	if (pk == NULL) {
		tls_text(b, "key", NULL);
		return;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) == 1) {
		nist = EC_curve_nid2nist(OBJ_txt2nid(group));
		snprintf(text, sizeof(text), "EC %s",
		    nist != NULL ? nist : group);
	} else {
		name = EVP_PKEY_get0_type_name(pk);
		snprintf(text, sizeof(text), "%s %d", name != NULL ? name : "?",
		    EVP_PKEY_get_bits(pk));
	}
	tls_text(b, "key", text);
}

/* The facts of the leaf certificate, after the session's. */
static void
tls_cert(struct buf *b, SSL *ssl, X509 *cert, BIO *bio)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	const unsigned char *ocsp;
	int nid = X509_get_signature_nid(cert);
	char n[16];

	/* UTF-8 as it came: json_text makes it safe. */
	X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	tls_bio_member(b, "subject", bio);
	X509_NAME_print_ex(bio, X509_get_issuer_name(cert), 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	tls_bio_member(b, "issuer", bio);
	tls_serial(b, cert);
	tls_time(b, "not_before", X509_get0_notBefore(cert));
	tls_time(b, "not_after", X509_get0_notAfter(cert));
	tls_sha256(b, cert);
	tls_san(b, cert);
	snprintf(n, sizeof(n), "%d", chain != NULL ? sk_X509_num(chain) : 1);
	json_key(b, "chain");
	buf_append(b, n, strlen(n));
	tls_key(b, cert);
	tls_text(b, "signature", nid != NID_undef ? OBJ_nid2ln(nid) : NULL);
	json_key(b, "ocsp_stapled");
	if (SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp) > 0)
		buf_append(b, "true", 4);
	else
		buf_append(b, "false", 5);
}

void
tls_json(struct buf *b, SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	const unsigned char *alpn;
	unsigned int alpn_len = 0;
	BIO *bio;

	buf_append(b, "{", 1);
	tls_text(b, "version", SSL_get_version(ssl));
	tls_text(b, "cipher", SSL_get_cipher_name(ssl));
	SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
	if (alpn_len > 0)
		json_member(b, "alpn", alpn, alpn_len);
	else
		tls_text(b, "alpn", NULL);
	/* A client's own: the name it sent, or none. */
	tls_text(b, "sni", SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
	tls_text(b, "verify",
	    X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
	if (cert != NULL && (bio = BIO_new(BIO_s_mem())) != NULL) {
		tls_cert(b, ssl, cert, bio);
		BIO_free(bio);
	}
	buf_append(b, "}", 1);
}

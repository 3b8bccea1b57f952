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
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "options.h"
#include "output.h"
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

SSL_CTX *
tls_ctx_new(const char *cafile, const struct options *o, char *err,
    size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "cannot create the TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (o->tls_max != 0)
		SSL_CTX_set_max_proto_version(ctx,
		    o->tls_max == 2 ? TLS1_2_VERSION : TLS1_3_VERSION);
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
	        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
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
	SSL_CTX_set_verify(ctx, o->insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
	    NULL);
	return ctx;
}

void
tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

SSL *
tls_ssl_new(SSL_CTX *ctx, const char *host, int literal)
{
	X509_VERIFY_PARAM *param;
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	param = SSL_get0_param(ssl);
	if (literal) {
		/* RFC 6066: no SNI for an address; check it against the SAN. */
		if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
			goto fail;
	} else {
		if (SSL_set_tlsext_host_name(ssl, host) != 1 ||
		    SSL_set1_host(ssl, host) != 1)
			goto fail;
	}
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

void
tls_json(struct buf *b, SSL *ssl)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	const char *s;
	BIO *bio;

	buf_append(b, "{", 1);
	s = SSL_get_version(ssl);
	json_member(b, "version", s, strlen(s));
	s = SSL_get_cipher_name(ssl);
	json_member(b, "cipher", s, strlen(s));
	s = X509_verify_cert_error_string(SSL_get_verify_result(ssl));
	json_member(b, "verify", s, strlen(s));
	if (cert != NULL && (bio = BIO_new(BIO_s_mem())) != NULL) {
		/* UTF-8 as it came: json_text makes it safe. */
		X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
		    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
		tls_bio_member(b, "subject", bio);
		X509_NAME_print_ex(bio, X509_get_issuer_name(cert), 0,
		    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
		tls_bio_member(b, "issuer", bio);
		ASN1_TIME_print(bio, X509_get0_notAfter(cert));
		tls_bio_member(b, "not_after", bio);
		tls_san(b, cert);
		BIO_free(bio);
	}
	X509_free(cert);
	buf_append(b, "}", 1);
}

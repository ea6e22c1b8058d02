using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Verification;

/// <summary>Applies every rule a strict client applies to an OCSP response for one certificate. Pure: no I/O.</summary>
public static class OcspVerifier
{
    private const string OcspSigningEku = "1.3.6.1.5.5.7.3.9";

    public static VerificationResult Verify(
        OcspResponse response,
        X509Certificate2 certificate,
        X509Certificate2 issuer,
        byte[]? sentNonce,
        VerificationOptions options,
        DateTimeOffset now)
    {
        var findings = new List<Finding>();
        if (response.Status != OcspResponseStatus.Successful)
        {
            findings.Add(new Finding(FindingCode.ResponderError,
                $"The responder answered '{StatusName(response.Status)}' instead of a status; try later or check the request."));
            return new VerificationResult(findings, null);
        }

        var answer = response.Responses.FirstOrDefault(r => CertId.For(certificate, issuer, r.CertId.HashAlgorithmOid) is { } ours && ours.Matches(r.CertId));
        if (answer == null)
        {
            var about = string.Join(", ", response.Responses.Select(r => r.CertId.ToString()));
            findings.Add(new Finding(FindingCode.CertIdMismatch,
                $"The response is not about this certificate (serial {CertId.NormalizeSerial(Convert.ToHexString(certificate.SerialNumberBytes.Span))} from {issuer.Subject}); it answers for {(about.Length > 0 ? about : "nothing")}."));
            return new VerificationResult(findings, null);
        }

        CheckSigner(response, issuer, options, findings);
        foreach (var oid in response.UnsupportedCriticalExtensions)
            findings.Add(new Finding(FindingCode.UnsupportedCriticalExtension,
                $"The response carries extension {oid} marked critical, which this tool does not understand, so it must not be relied on (RFC 6960 4.4)."));
        CheckTimes(response, answer, options, now, findings);
        if (sentNonce != null && (response.Nonce == null || !response.Nonce.AsSpan().SequenceEqual(sentNonce)))
            findings.Add(new Finding(FindingCode.NonceMismatch, response.Nonce == null
                ? "A nonce was sent but the response has none: it may be a replayed or pre-signed answer."
                : "The response's nonce differs from the one sent: it may be a replayed answer."));
        CheckStatus(answer, findings);
        return new VerificationResult(findings, answer);
    }

    private static void CheckSigner(OcspResponse response, X509Certificate2 issuer, VerificationOptions options, List<Finding> findings)
    {
        var signed = response.Signed!;
        var signer = FindSigner(signed, issuer, response.Certificates);
        if (signer == null)
        {
            findings.Add(new Finding(FindingCode.SignerNotFound,
                $"The response was signed by '{response.ResponderId}', which is neither the issuer nor a certificate included in the response."));
            return;
        }
        if (!SignatureValid(response, signer))
        {
            findings.Add(new Finding(FindingCode.SignatureInvalid, $"The response's signature does not verify with the key of '{signer.Subject}'."));
            return;
        }
        if (signer.RawData.AsSpan().SequenceEqual(issuer.RawData))
            return;

        if (!CertificateFacts.NamesIssuer(signer, issuer) || !SignatureCheck.IsIssuedBy(signer, issuer))
        {
            findings.Add(new Finding(FindingCode.SignerNotAuthorized,
                $"The response was signed by '{signer.Subject}', which the issuer '{issuer.Subject}' did not issue, so it may not answer for it."));
            return;
        }
        if (!HasOcspSigningEku(signer))
        {
            findings.Add(new Finding(FindingCode.SignerNotAuthorized,
                $"The delegated signer '{signer.Subject}' lacks the OCSP Signing extended key usage (id-kp-OCSPSigning)."));
            return;
        }
        // With the clock skew: responders round producedAt down (cfssl to the minute), so a signer issued seconds
        // before its first answer would otherwise look not yet valid.
        var producedAt = response.ProducedAt!.Value;
        if (producedAt < signer.NotBefore.ToUniversalTime() - options.ClockSkew || producedAt > signer.NotAfter.ToUniversalTime() + options.ClockSkew)
            findings.Add(new Finding(FindingCode.SignerNotValidAtProducedAt,
                $"The delegated signer '{signer.Subject}' was not valid when the response was produced ({producedAt:u}; valid {signer.NotBefore.ToUniversalTime():u} to {signer.NotAfter.ToUniversalTime():u})."));
    }

    private static X509Certificate2? FindSigner(OcspResponse.SignedPart signed, X509Certificate2 issuer, IReadOnlyList<X509Certificate2> included)
    {
        bool IsNamed(X509Certificate2 c) => signed.ResponderKeyHash != null
            ? SHA1.HashData(c.PublicKey.EncodedKeyValue.RawData).AsSpan().SequenceEqual(signed.ResponderKeyHash)
            : signed.ResponderNameDer != null && c.SubjectName.RawData.AsSpan().SequenceEqual(signed.ResponderNameDer);
        return IsNamed(issuer) ? issuer : included.FirstOrDefault(IsNamed);
    }

    private static bool SignatureValid(OcspResponse response, X509Certificate2 signer)
    {
        var signed = response.Signed!;
        var fast = SignatureCheck.TryVerify(signed.SignatureAlgorithmOid, signed.TbsResponseData, signed.Signature, signer);
        if (fast.HasValue)
            return fast.Value;
        try
        {
            var basic = (Org.BouncyCastle.Ocsp.BasicOcspResp)new Org.BouncyCastle.Ocsp.OcspResp(response.RawData).GetResponseObject();
            return basic.Verify(BouncyCastleCertificates.From(signer).GetPublicKey());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // BouncyCastle parses lazily: a part the decoder never touched may fail only here. Unreadable is unverified.
            return false;
        }
    }

    private static bool HasOcspSigningEku(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == OcspSigningEku));

    private static void CheckTimes(OcspResponse response, SingleResponse answer, VerificationOptions options, DateTimeOffset now, List<Finding> findings)
    {
        if (StapleValidity.IsNotYetValid(answer, options, now))
            findings.Add(new Finding(FindingCode.NotYetValid,
                $"thisUpdate {answer.ThisUpdate:u} is in the future (now {now.ToUniversalTime():u}); the responder's or this machine's clock is wrong."));
        else if (response.ProducedAt > now + options.ClockSkew)
            findings.Add(new Finding(FindingCode.NotYetValid,
                $"producedAt {response.ProducedAt:u} is in the future (now {now.ToUniversalTime():u}); the responder's or this machine's clock is wrong."));

        // Not yet valid is not also expired: the window has not begun, so only the clocks are wrong.
        if (StapleValidity.IsValidAt(answer, options, now) || StapleValidity.IsNotYetValid(answer, options, now))
            return;
        if (answer.NextUpdate is { } next)
            findings.Add(new Finding(FindingCode.Expired, $"The response expired at nextUpdate {next:u} (now {now.ToUniversalTime():u}); fetch a fresh one."));
        else
            findings.Add(new Finding(FindingCode.TooOld,
                $"The response has no nextUpdate and thisUpdate {answer.ThisUpdate:u} is older than the allowed {options.MaxAgeWithoutNextUpdate}."));
    }

    private static void CheckStatus(SingleResponse answer, List<Finding> findings)
    {
        if (answer.CertStatus == CertStatus.Revoked)
        {
            var reason = answer.RevocationReason is { } r ? $", reason {r}" : "";
            findings.Add(new Finding(FindingCode.Revoked, $"The certificate is REVOKED (since {answer.RevocationTime:u}{reason}); replace it."));
        }
        else if (answer.CertStatus == CertStatus.Unknown)
        {
            findings.Add(new Finding(FindingCode.StatusUnknown, "The responder does not know this certificate (status unknown): wrong responder or wrong issuer?"));
        }
    }

    /// <summary>The RFC 6960 spelling (tryLater, malformedRequest, …), as administrators see it in OpenSSL's output.</summary>
    public static string StatusName(OcspResponseStatus status) =>
        char.ToLowerInvariant(status.ToString()[0]) + status.ToString()[1..];
}

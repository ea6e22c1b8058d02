using OcspStapling.Engine.Certificates;

namespace OcspStapling.Engine.Sites;

/// <summary>
/// What one certificate file found by discovery holds: its certificate's facts (remembered for this content, else
/// parsed), or why it could not be read. Safe to make on several threads at once: the cache is only looked up.
/// </summary>
internal sealed record CandidateFile(CertificateSummary? Facts, StaplingException? Error, UInt128? Key, bool Parsed, bool Cacheable)
{
    /// <summary>What the file is when it is recognisably not a certificate: found in a directory, it is skipped with this.</summary>
    public string? NotACertificate { get; init; }

    public static CandidateFile Read(string path, string? pfxPassword, CertificateFactsCache cache)
    {
        byte[]? bytes = null;
        try
        {
            bytes = CertificateFile.ReadBytes(path);
            var key = CertificateFactsCache.KeyOf(bytes);
            if (cache.TryGet(key, out var known))
                return new CandidateFile(known, null, key, Parsed: false, Cacheable: true);
            // The certificate itself is dropped: it is read again only if the site is fetched, so 100,000 sites never
            // hold 100,000 parsed certificates.
            var facts = CertificateSummary.Of(CertificateFile.Load(path, bytes, pfxPassword));
            return new CandidateFile(facts, null, key, Parsed: true, Cacheable: !CertificateFile.IsPfx(bytes));
        }
        catch (StaplingException e)
        {
            return new CandidateFile(null, e, null, Parsed: false, Cacheable: false)
            {
                NotACertificate = e.Reason == FailureReason.NoCertificateInFile ? "holds no certificate (a key or a request?)"
                    : bytes != null && IsOcspResponse(bytes) ? "an OCSP response (a staple), not a certificate"
                    : null,
            };
        }
    }

    // The blog's cron loop leaves `openssl ocsp -respout site.pem.der` files beside the certificates.
    private static bool IsOcspResponse(byte[] bytes)
    {
        try
        {
            Protocol.OcspResponseDecoder.Decode(bytes);
            return true;
        }
        catch (Protocol.OcspFormatException)
        {
            return false;
        }
    }
}

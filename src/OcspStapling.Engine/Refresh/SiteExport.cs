using OcspStapling.Engine.Export;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// Keeps a site's exported staple files (the file sinks: an export directory, beside the certificate) in step with
/// the store: the staple to serve is written when a file does not hold exactly it, whoever fetched it, so a file
/// deleted, damaged or written by an older run is repaired. A file is never removed: nginx cannot load its
/// configuration without it.
/// </summary>
internal sealed class SiteExport
{
    private readonly string? _directory;
    private readonly bool _beside;

    public SiteExport(string? directory, bool beside)
    {
        _directory = directory;
        _beside = beside;
    }

    public IReadOnlyList<string> TargetsFor(Site site)
    {
        var targets = new List<string>();
        if (_directory != null)
            targets.Add(Path.Combine(_directory, site.ExportName));
        if (_beside && site.BesidePath is { } beside)
            targets.Add(beside);
        return targets;
    }

    /// <summary>
    /// Brings the files up to date: where the staple is, whether any file changed (a server that loads them must be
    /// told), what could not be done (null when all was), and a note on a file kept although it is not this
    /// certificate's (null when there is none).
    /// </summary>
    public ExportOutcome Apply(Site site, byte[]? servableStaple)
    {
        var written = new List<string>();
        var problems = new List<string>();
        var kept = new List<string>();
        var changed = false;
        foreach (var target in TargetsFor(site))
        {
            try
            {
                if (servableStaple != null)
                {
                    if (!StapleExport.IsCurrent(target, servableStaple))
                    {
                        StapleExport.WriteFile(target, servableStaple);
                        changed = true;
                    }
                    written.Add(target);
                }
                else if (HoldsStapleForAnotherCertificate(target, site))
                {
                    kept.Add(target);
                }
            }
            catch (StaplingException e)
            {
                problems.Add(e.Message);
            }
        }
        return new ExportOutcome(written, changed, problems.Count > 0 ? string.Join(" ", problems) : null, KeptNote(kept));
    }

    // After a renewal that cannot be stapled yet, the previous certificate's staple stays where it is: nginx refuses a
    // configuration whose ssl_stapling_file is missing (`nginx -t` fails, and with it every restart, for every site),
    // and a file that is not this certificate's is replaced as soon as a staple for it is in hand.
    private static string? KeptNote(IReadOnlyList<string> kept) => kept.Count == 0 ? null :
        $"{string.Join(", ", kept.Select(k => $"'{k}'"))} still holds the previous certificate's staple, kept so the server can load its configuration; clients that check will not accept it for this certificate until a staple for it is fetched";

    // Whether the file holds a staple about another certificate (the one before a renewal). An expired staple for the
    // site's own certificate is not noted (servers skip it); a file that is not a staple at all is not ours to judge.
    private static bool HoldsStapleForAnotherCertificate(string path, Site site)
    {
        OcspResponse response;
        try
        {
            if (Files.RegularFile.TryRead(path, OcspResponseDecoder.MaxInputBytes, followLinks: false) is not { } bytes)
                return false;
            response = OcspResponseDecoder.Decode(bytes);
        }
        catch (Exception e) when (e is OcspFormatException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // Rare (a file is there and no staple may be served), so the certificate is read here rather than kept for every site.
        var leaf = site.ReadCertificate().Leaf;
        var serial = CertId.NormalizeSerial(Convert.ToHexString(leaf.SerialNumberBytes.Span));
        if (site.ReadsFromFile)
            leaf.Dispose();
        return response.Responses.Count > 0 && response.Responses.All(r => r.CertId.SerialNumber != serial);
    }
}

/// <summary>What <see cref="SiteExport.Apply"/> did for one site.</summary>
internal sealed record ExportOutcome(IReadOnlyList<string> Written, bool Changed, string? Problem, string? Note);

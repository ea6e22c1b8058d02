using OcspStapling.Engine.Export;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// Keeps a site's exported staple files in step with its certificate: the staple in hand is written when a file
/// lacks it, and a file holding a staple for another certificate (the one before a renewal) is removed, so a
/// server never staples an answer about a certificate it no longer serves.
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

    /// <summary>Brings the files up to date; returns where the staple is, and what could not be done (null when all was).</summary>
    public (IReadOnlyList<string> Written, string? Problem) Apply(Site site, byte[]? servableStaple)
    {
        var written = new List<string>();
        var problems = new List<string>();
        foreach (var target in TargetsFor(site))
        {
            try
            {
                if (servableStaple != null)
                {
                    if (!StapleExport.IsCurrent(target, servableStaple))
                        StapleExport.WriteFile(target, servableStaple);
                    written.Add(target);
                }
                else if (HoldsStapleForAnotherCertificate(target, site))
                {
                    File.Delete(target);
                }
            }
            catch (StaplingException e)
            {
                problems.Add(e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"Cannot remove '{target}', which holds the staple of a certificate this site no longer has: {e.Message}.");
            }
        }
        return (written, problems.Count > 0 ? string.Join(" ", problems) : null);
    }

    // An expired staple for the site's own certificate stays (servers skip it, and nginx needs the file to exist);
    // one for another certificate goes. A file that is not a staple at all is not ours to judge, and stays.
    private static bool HoldsStapleForAnotherCertificate(string path, Site site)
    {
        if (Files.RegularFile.TryRead(path, OcspResponseDecoder.MaxInputBytes, followLinks: false) is not { } bytes)
            return false;
        OcspResponse response;
        try
        {
            response = OcspResponseDecoder.Decode(bytes);
        }
        catch (OcspFormatException)
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

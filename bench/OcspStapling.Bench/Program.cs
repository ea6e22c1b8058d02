using OcspStapling.Bench;

// Whole-program benchmarks, each measured side by side with its baseline in one run; results go to bench/RESULTS.md.
//   dotnet run -c Release --project bench/OcspStapling.Bench -- fetch [--counts 1,100,1000] [--runs 3] [--concurrency 4]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- refresh [--counts 1000] [--runs 3]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- scale [--counts 1000,10000,100000] [--binary PATH]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- startup [--runs 20] [--binary PATH[,PATH]]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- handshake [--runs 3] [--seconds 8]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- sni [--runs 3] [--seconds 8]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- fleet [--counts 1000] [--binary PATH]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- soak [--minutes 10] [--tls openssl|sslstream]
//   dotnet run -c Release --project bench/OcspStapling.Bench -- pipeline [--counts 200,1000] [--runs 1] [--module PSD1 [--module-note TEXT]] [--pwsh PATH]
var command = args.FirstOrDefault() ?? "fetch";
var counts = Arg("--counts", "1,100,1000").Split(',').Select(int.Parse).ToArray();
var runs = int.Parse(Arg("--runs", "3"));
FetchBenchmark.Concurrency = int.Parse(Arg("--concurrency", "4"));
BenchPki.ResponderProcesses = int.Parse(Arg("--responder-processes", "2"));
var results = Path.GetFullPath(Arg("--results", Path.Combine(RepoDirectory(), "bench", "RESULTS.md")));

switch (command)
{
    case "fetch":
        await FetchBenchmark.RunAsync(counts, runs, results);
        return 0;
    case "refresh":
        await RefreshBenchmark.RunAsync(counts.Max(), runs, results);
        return 0;
    case "scale":
        await ScaleBenchmark.RunAsync(counts, Path.GetFullPath(Arg("--binary", DefaultBinary())), results);
        return 0;
    case "startup":
        await StartupBenchmark.RunAsync(args.Contains("--runs") ? runs : 20, Arg("--binary", DefaultBinary()).Split(',').Select(Path.GetFullPath).ToList(),
            Path.Combine(RepoDirectory(), "bench", "StartupFloor", "StartupFloor.csproj"), results);
        return 0;
    case "handshake":
        await HandshakeBenchmark.RunAsync(runs, TimeSpan.FromSeconds(double.Parse(Arg("--seconds", "8"))), results);
        return 0;
    case "sni":
        await SniHandshakeBenchmark.RunAsync(runs, TimeSpan.FromSeconds(double.Parse(Arg("--seconds", "8"))), results);
        return 0;
    case "fleet":
        await FleetBenchmark.RunAsync(args.Contains("--counts") ? counts.Max() : 1000, Path.GetFullPath(Arg("--binary", DefaultBinary())), results);
        return 0;
    case "soak":
        await SoakBenchmark.RunAsync(TimeSpan.FromMinutes(double.Parse(Arg("--minutes", "10"))), Arg("--tls", "openssl"), results);
        return 0;
    case "pipeline":
        await PipelineBenchmark.RunAsync(args.Contains("--counts") ? counts : new[] { 200, 1000 }, args.Contains("--runs") ? runs : 1,
            Arg("--pwsh", "") is { Length: > 0 } pwsh ? Path.GetFullPath(pwsh) : PipelineBenchmark.DefaultPwsh(RepoDirectory()),
            Path.GetFullPath(Arg("--module", "") is { Length: > 0 } module ? module : PipelineBenchmark.DefaultModule(RepoDirectory())),
            Arg("--module-note", ""), results);
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{command}'; known: fetch, refresh, scale, startup, handshake, sni, fleet, soak, pipeline");
        return 2;
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

// The single file admins install (dotnet publish src/OcspStapling.Cli -p:PublishProfile=linux-x64), else the bench's own copy.
string DefaultBinary()
{
    var published = Path.Combine(RepoDirectory(), "out", "ocspstaple-linux-x64", "ocspstaple");
    return File.Exists(published) ? published : Path.Combine(AppContext.BaseDirectory, "ocspstaple");
}

static string RepoDirectory()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "OcspStapling.sln")))
        dir = dir.Parent;
    return dir?.FullName ?? Environment.CurrentDirectory;
}

namespace OcspStapling.Commands;

/// <summary>Parameter-set names, shared so cmdlets and tests spell them the same.</summary>
public static class ParameterSets
{
    public const string Certificate = "Certificate";
    public const string Path = "Path";
    public const string Result = "Result";
    public const string File = "File";
    public const string Directory = "Directory";
    public const string Computer = "Computer";
    public const string Port = "Port";
}

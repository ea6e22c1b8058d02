namespace OcspStapling.Tests.Hostile;

/// <summary>
/// One way to damage an input, drawn by FsCheck as plain numbers (so failures shrink to small, readable cases):
/// truncate, flip a bit, insert bytes, lie in a length field, wrap in deep nesting, duplicate or cut a slice.
/// </summary>
public sealed record Mutation(int Kind, int Position, int Value, int Seed)
{
    public const int Kinds = 8;

    public byte[] ApplyTo(byte[] input)
    {
        if (input.Length == 0)
            return new[] { (byte)Value };
        var at = (int)((uint)Position % (uint)input.Length);
        var random = new Random(Seed);
        switch (Kind % Kinds)
        {
            case 0: // truncate
                return input[..at];
            case 1: // flip one bit
            {
                var copy = (byte[])input.Clone();
                copy[at] ^= (byte)(1 << (Value & 7));
                return copy;
            }
            case 2: // insert random bytes
            {
                var inserted = new byte[1 + (int)((uint)Value % 64)];
                random.NextBytes(inserted);
                return input[..at].Concat(inserted).Concat(input[at..]).ToArray();
            }
            case 3: // lie in what may be a length field: short form, long form, indefinite, huge
            {
                var copy = (byte[])input.Clone();
                copy[at] = (byte)((Value % 5) switch { 0 => 0x80, 1 => 0x84, 2 => 0xff, 3 => 0x7f, _ => 0x00 });
                return copy;
            }
            case 4: // wrap in deep nesting, definite or indefinite
                return (Value & 1) == 0 ? HostileDer.ResponseAround(Nest(input, 50 + (int)((uint)Value % 5_000))) : HostileDer.NestedIndefinite(50 + (int)((uint)Value % 20_000));
            case 5: // duplicate a slice
            {
                var length = Math.Min(input.Length - at, 1 + (int)((uint)Value % 256));
                return input[..(at + length)].Concat(input[at..]).ToArray();
            }
            case 6: // cut a slice
            {
                var length = Math.Min(input.Length - at, 1 + (int)((uint)Value % 256));
                return input[..at].Concat(input[(at + length)..]).ToArray();
            }
            default: // several small damages at once
            {
                var copy = (byte[])input.Clone();
                for (var i = 0; i < 1 + (int)((uint)Value % 8); i++)
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            }
        }
    }

    private static byte[] Nest(byte[] inner, int levels)
    {
        for (var i = 0; i < levels; i++)
            inner = HostileDer.Element(0x30, inner);
        return inner;
    }
}

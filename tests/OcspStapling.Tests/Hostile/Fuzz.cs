using FsCheck;
using FsCheck.Fluent;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// Runs a property over mutations of real inputs with FsCheck: every case must end in a correct answer or one of
/// the named failures, never another exception type or unbounded memory (a hang fails the test's timeout).
/// </summary>
public static class Fuzz
{
    /// <summary>Allocation allowed for one case: a few times the largest input, far below what a runaway loop takes.</summary>
    public const long MaxBytesPerCase = 64L * 1024 * 1024;

    /// <summary>CI runs the default budget; bench/fuzz.sh multiplies it for a longer campaign.</summary>
    public static int Cases(int ciBudget) =>
        ciBudget * (int.TryParse(Environment.GetEnvironmentVariable("OCSPSTAPLE_FUZZ_SCALE"), out var scale) && scale > 0 ? scale : 1);

    public static Arbitrary<(int Input, Mutation Mutation)> Mutations(int inputs) =>
        (from input in Gen.Choose(0, inputs - 1)
         from kind in Gen.Choose(0, Mutation.Kinds - 1)
         from position in Gen.Choose(0, int.MaxValue)
         from value in Gen.Choose(0, int.MaxValue)
         from seed in Gen.Choose(0, int.MaxValue)
         select (input, new Mutation(kind, position, value, seed))).ToArbitrary();

    /// <summary>Checks <paramref name="property"/> on <paramref name="cases"/> mutated inputs; each returns normally or throws an allowed type.</summary>
    public static void Run(IReadOnlyList<byte[]> inputs, int cases, Action<byte[]> property, params Type[] allowed)
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true), Prop.ForAll(Mutations(inputs.Count), draw =>
        {
            var mutated = draw.Mutation.ApplyTo(inputs[draw.Input]);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                property(mutated);
            }
            catch (Exception e) when (allowed.Any(t => t.IsInstanceOfType(e)))
            {
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{draw.Mutation} on input {draw.Input} ({mutated.Length} bytes) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return allocated < MaxBytesPerCase;
        }));
    }
}

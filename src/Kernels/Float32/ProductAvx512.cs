using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;


namespace Peft.Kernels.Float32;

/// <summary>
/// The <see cref="ProductArgs"/> product with AVX-512F, a tile of four weight rows at a time. Within a tile, six (or
/// four) activation rows go through together (24 or 16 accumulators: every weight load feeds six FMAs, every
/// activation load four), and the tiles go by panels that fit L2: each group of rows passes over the whole panel, so
/// the weights come from memory once per product however many rows there are, and a prefill runs at the FMA units'
/// rate with a group's rows in L1 and the panel in L2. With one thread per disjoint run of tiles, the threads stream
/// disjoint parts of the matrix.
/// Every output is one 16-lane accumulator fed column block by column block in order, reduced by one fixed tree, then
/// the columns past the last whole block added in order: the same operations whichever path computes it, so a row's
/// result does not depend on the other rows of the batch, on the thread count or on how the tiles were split.
/// </summary>
internal static unsafe class ProductAvx512
{
    public const int TileRows = 4;

    /// <summary>Weight bytes of a panel: what stays in L2 while groups of activation rows pass over it.</summary>
    private const long PanelBytes = 256 << 10;

    private const int Lanes = 16;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tiles(in ProductArgs a, long tile0, long tile1)
    {
        long panel = Math.Max(1, PanelBytes / (TileRows * sizeof(float) * (long)a.Columns));
        for (long p0 = tile0; p0 < tile1; p0 += panel)
            Panel(a, p0, Math.Min(tile1, p0 + panel), first: p0 == tile0);
    }

    /// <summary>
    /// Tiles t0..t1 against every activation row, six or four rows at a time across the whole panel: the panel's
    /// weights stay in L2 while each group of rows, in L1, meets all of them. Only the first group's pass reads the
    /// weights from memory; to keep that pass from waiting on it, the second group's pass (which reads L2) brings the
    /// next panel in, and a panel with nothing before it fetches a tile ahead as it goes. Rows wider than
    /// one and a half times <see cref="SpanBlocks"/> blocks go a span of columns at a time (<see cref="ColumnSpan"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel(in ProductArgs a, long t0, long t1, bool first)
    {
        long whole = Math.Min(t1, a.Rows / TileRows);   // tiles of four rows; a short last tile goes row by row
        long panelTiles = t1 - t0;
        int sixRows = 6 * Sixes(a.N), m = 0;
        int blockColumns = a.Columns - a.Columns % Lanes, span = SpanColumns(a.Columns);
        bool spans = span < blockColumns;
        Vector512<float>* carried = stackalloc Vector512<float>[spans ? 24 * (int)panelTiles : 0];
        for (int pass = 0; m + 4 <= a.N; pass++)
        {
            int width = m < sixRows ? 6 : 4;
            int c0 = 0;
            do
            {
                int c1 = Math.Min(blockColumns, c0 + span);
                var part = new ColumnSpan(c0, c1, resumes: c0 > 0, finishes: c1 == blockColumns, spans ? carried : null);
                for (long t = t0; t < whole; t++)
                {
                    long r = t * TileRows;
                    bool fetch = Prefetch(a, pass, first, r, panelTiles, out long next);
                    Group(a, r, m, width, fetch, next, part.ForTile(t - t0));
                }
                c0 = c1;
            }
            while (c0 < blockColumns);
            m += width;
        }
        for (; m < a.N; m++)
            if (m == 0)   // the only pass, streaming the weights: one row at a time, in address order
                for (long r = t0 * TileRows; r < whole * TileRows; r++) Single(a, r, m);
            else
                for (long t = t0; t < whole; t++) One(a, t * TileRows, m);
        for (long r = whole * TileRows; r < Math.Min(t1 * TileRows, a.Rows); r++)
            for (int row = 0; row < a.N; row++) Single(a, r, row);
    }

    /// <summary>Weight rows r..r+3 against the <paramref name="width"/> (six or four) activation rows from m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Group(in ProductArgs a, long r, int m, int width, bool fetch, long next, in ColumnSpan part)
    {
        if (width == 6)
        {
            if (fetch) Six<Fetch>(a, r, m, next, part);
            else Six<NoFetch>(a, r, m, 0, part);
        }
        else if (fetch) Four<Fetch>(a, r, m, next, part);
        else Four<NoFetch>(a, r, m, 0, part);
    }

    /// <summary>Which tile, if any, the pass of group <paramref name="pass"/> over the tile at row
    /// <paramref name="r"/> brings into L2: the same tile of the next panel on the second pass, the next tile on the
    /// first pass of a panel that nothing fetched (the first of a run, or one with a single group of rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Prefetch(in ProductArgs a, int pass, bool first, long r, long panelTiles, out long next)
    {
        next = pass switch
        {
            0 when first || a.N < 8 => r + TileRows,
            1 => r + panelTiles * TileRows,
            _ => -1,
        };
        return next >= 0 && next + TileRows <= a.Rows;
    }

    /// <summary>Column blocks per span of a wide row. Six activation rows of 1,024 columns (24 KiB) and the tile they
    /// meet (16 KiB) fit L1 together; six rows of an MLP's 2,816 (66 KiB) do not, and the down projection ran at 72%
    /// of the other products' rate with its loads coming from L2. Rows of more than one and a half times this many
    /// blocks go in equal spans of at most this many; narrower rows keep one span, where the extra calls and carries
    /// cost more than they save (measured: spans of 32 blocks at 1,024 columns, 10% slower).</summary>
    private const int SpanBlocks = 64;

    /// <summary>Columns of one span for rows of <paramref name="columns"/> columns (a multiple of 16).</summary>
    private static int SpanColumns(int columns)
    {
        int blocks = columns / Lanes;
        if (2 * blocks <= 3 * SpanBlocks) return Math.Max(blocks, 1) * Lanes;
        int spans = (blocks + SpanBlocks - 1) / SpanBlocks;
        return (blocks + spans - 1) / spans * Lanes;
    }

    /// <summary>
    /// The whole column blocks [Start, End) a group's pass covers. Where a row has more than one span, the group's 24
    /// (or 16) accumulators for a tile are carried in memory from one span to the next: loaded whole unless the span
    /// is the first, stored whole unless it is the last, where they are reduced instead. So every output is still
    /// one accumulator fed its blocks in column order, and gets the same bits as on any other path.
    /// </summary>
    private readonly struct ColumnSpan(int start, int end, bool resumes, bool finishes, Vector512<float>* carried)
    {
        public int Start { get; } = start;
        public int End { get; } = end;
        public bool Resumes { get; } = resumes;
        public bool Finishes { get; } = finishes;

        /// <summary>Carried accumulators of the tile this span is handed for; null where the row is one span.</summary>
        public Vector512<float>* Carried { get; } = carried;

        public ColumnSpan ForTile(long index) =>
            Carried is null ? this : new ColumnSpan(Start, End, Resumes, Finishes, Carried + 24 * index);
    }

    /// <summary>Groups of six activation rows to take before groups of four, leaving at most one row for
    /// <see cref="One"/> (which loads a weight vector per FMA): 32 rows are four sixes and two fours.</summary>
    private static int Sixes(int n)
    {
        int sixes = n / 6;
        while (sixes > 0 && (n - 6 * sixes) % 4 >= 2) sixes--;
        return sixes;
    }

    /// <summary>Weight rows r..r+3 against activation rows m..m+5: 24 accumulators, every weight load feeding six
    /// FMAs (ten loads per 24 FMAs against eight per 16 in <see cref="Four{TPrefetch}"/>). Each output is built
    /// exactly as in every other path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Six<TPrefetch>(in ProductArgs a, long r, int m, long next, in ColumnSpan part) where TPrefetch : struct
    {
        int columns = a.Columns;
        int whole = columns - columns % Lanes;
        long stride = a.WStride;
        float* w0 = a.W + r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        float* x0 = a.X + (long)m * columns, x1 = x0 + columns, x2 = x1 + columns, x3 = x2 + columns, x4 = x3 + columns, x5 = x4 + columns;
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a25 = z, a30 = z, a31 = z, a32 = z, a33 = z, a34 = z, a35 = z;
        float* n0 = a.W + next * stride, n1 = n0 + stride, n2 = n1 + stride, n3 = n2 + stride;
        var carried = part.Carried;
        if (part.Resumes)
        {
            a00 = carried[0];
            a10 = carried[1];
            a20 = carried[2];
            a30 = carried[3];
            a01 = carried[4];
            a11 = carried[5];
            a21 = carried[6];
            a31 = carried[7];
            a02 = carried[8];
            a12 = carried[9];
            a22 = carried[10];
            a32 = carried[11];
            a03 = carried[12];
            a13 = carried[13];
            a23 = carried[14];
            a33 = carried[15];
            a04 = carried[16];
            a14 = carried[17];
            a24 = carried[18];
            a34 = carried[19];
            a05 = carried[20];
            a15 = carried[21];
            a25 = carried[22];
            a35 = carried[23];
        }
        for (int c = part.Start, end = part.End; c < end; c += Lanes)
        {
            if (typeof(TPrefetch) == typeof(Fetch))
            {
                Sse.Prefetch1(n0 + c);
                Sse.Prefetch1(n1 + c);
                Sse.Prefetch1(n2 + c);
                Sse.Prefetch1(n3 + c);
            }
            var v0 = Avx512F.LoadVector512(x0 + c);
            var v1 = Avx512F.LoadVector512(x1 + c);
            var v2 = Avx512F.LoadVector512(x2 + c);
            var v3 = Avx512F.LoadVector512(x3 + c);
            var v4 = Avx512F.LoadVector512(x4 + c);
            var v5 = Avx512F.LoadVector512(x5 + c);
            var w = Avx512F.LoadVector512(w0 + c);
            a00 = Avx512F.FusedMultiplyAdd(w, v0, a00);
            a01 = Avx512F.FusedMultiplyAdd(w, v1, a01);
            a02 = Avx512F.FusedMultiplyAdd(w, v2, a02);
            a03 = Avx512F.FusedMultiplyAdd(w, v3, a03);
            a04 = Avx512F.FusedMultiplyAdd(w, v4, a04);
            a05 = Avx512F.FusedMultiplyAdd(w, v5, a05);
            w = Avx512F.LoadVector512(w1 + c);
            a10 = Avx512F.FusedMultiplyAdd(w, v0, a10);
            a11 = Avx512F.FusedMultiplyAdd(w, v1, a11);
            a12 = Avx512F.FusedMultiplyAdd(w, v2, a12);
            a13 = Avx512F.FusedMultiplyAdd(w, v3, a13);
            a14 = Avx512F.FusedMultiplyAdd(w, v4, a14);
            a15 = Avx512F.FusedMultiplyAdd(w, v5, a15);
            w = Avx512F.LoadVector512(w2 + c);
            a20 = Avx512F.FusedMultiplyAdd(w, v0, a20);
            a21 = Avx512F.FusedMultiplyAdd(w, v1, a21);
            a22 = Avx512F.FusedMultiplyAdd(w, v2, a22);
            a23 = Avx512F.FusedMultiplyAdd(w, v3, a23);
            a24 = Avx512F.FusedMultiplyAdd(w, v4, a24);
            a25 = Avx512F.FusedMultiplyAdd(w, v5, a25);
            w = Avx512F.LoadVector512(w3 + c);
            a30 = Avx512F.FusedMultiplyAdd(w, v0, a30);
            a31 = Avx512F.FusedMultiplyAdd(w, v1, a31);
            a32 = Avx512F.FusedMultiplyAdd(w, v2, a32);
            a33 = Avx512F.FusedMultiplyAdd(w, v3, a33);
            a34 = Avx512F.FusedMultiplyAdd(w, v4, a34);
            a35 = Avx512F.FusedMultiplyAdd(w, v5, a35);
        }
        if (!part.Finishes)
        {
            carried[0] = a00;
            carried[1] = a10;
            carried[2] = a20;
            carried[3] = a30;
            carried[4] = a01;
            carried[5] = a11;
            carried[6] = a21;
            carried[7] = a31;
            carried[8] = a02;
            carried[9] = a12;
            carried[10] = a22;
            carried[11] = a32;
            carried[12] = a03;
            carried[13] = a13;
            carried[14] = a23;
            carried[15] = a33;
            carried[16] = a04;
            carried[17] = a14;
            carried[18] = a24;
            carried[19] = a34;
            carried[20] = a05;
            carried[21] = a15;
            carried[22] = a25;
            carried[23] = a35;
            return;
        }
        Store(a, r, m, Reduce.Four(a00, a10, a20, a30), x0, whole);
        Store(a, r, m + 1, Reduce.Four(a01, a11, a21, a31), x1, whole);
        Store(a, r, m + 2, Reduce.Four(a02, a12, a22, a32), x2, whole);
        Store(a, r, m + 3, Reduce.Four(a03, a13, a23, a33), x3, whole);
        Store(a, r, m + 4, Reduce.Four(a04, a14, a24, a34), x4, whole);
        Store(a, r, m + 5, Reduce.Four(a05, a15, a25, a35), x5, whole);
    }

    /// <summary>Weight rows r..r+3 against activation rows m..m+3; with <see cref="Fetch"/>, also brings weight rows
    /// next..next+3 into L2 while this one computes (<see cref="Prefetch"/> says which). Each weight row of a
    /// hidden-size matrix is a page of its own, where the hardware prefetcher starts over: without this a new tile's
    /// first pass waited on memory (7% of a 32-row decode's matmul time, 6% of a 128-row prefill's, measured in pairs;
    /// nothing at one row, which has no second pass to hide it behind).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four<TPrefetch>(in ProductArgs a, long r, int m, long next, in ColumnSpan part) where TPrefetch : struct
    {
        int columns = a.Columns;   // hoisted: a property read in the loop would spill vector registers
        int whole = columns - columns % Lanes;
        long stride = a.WStride;
        float* w0 = a.W + r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        float* x0 = a.X + (long)m * columns, x1 = x0 + columns, x2 = x1 + columns, x3 = x2 + columns;
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        float* n0 = a.W + next * stride, n1 = n0 + stride, n2 = n1 + stride, n3 = n2 + stride;
        var carried = part.Carried;
        if (part.Resumes)
        {
            a00 = carried[0];
            a10 = carried[1];
            a20 = carried[2];
            a30 = carried[3];
            a01 = carried[4];
            a11 = carried[5];
            a21 = carried[6];
            a31 = carried[7];
            a02 = carried[8];
            a12 = carried[9];
            a22 = carried[10];
            a32 = carried[11];
            a03 = carried[12];
            a13 = carried[13];
            a23 = carried[14];
            a33 = carried[15];
        }
        for (int c = part.Start, end = part.End; c < end; c += Lanes)
        {
            if (typeof(TPrefetch) == typeof(Fetch))   // a constant per instantiation: the other one has no branch
            {
                Sse.Prefetch1(n0 + c);
                Sse.Prefetch1(n1 + c);
                Sse.Prefetch1(n2 + c);
                Sse.Prefetch1(n3 + c);
            }
            var v0 = Avx512F.LoadVector512(x0 + c);
            var v1 = Avx512F.LoadVector512(x1 + c);
            var v2 = Avx512F.LoadVector512(x2 + c);
            var v3 = Avx512F.LoadVector512(x3 + c);
            var w = Avx512F.LoadVector512(w0 + c);
            a00 = Avx512F.FusedMultiplyAdd(w, v0, a00);
            a01 = Avx512F.FusedMultiplyAdd(w, v1, a01);
            a02 = Avx512F.FusedMultiplyAdd(w, v2, a02);
            a03 = Avx512F.FusedMultiplyAdd(w, v3, a03);
            w = Avx512F.LoadVector512(w1 + c);
            a10 = Avx512F.FusedMultiplyAdd(w, v0, a10);
            a11 = Avx512F.FusedMultiplyAdd(w, v1, a11);
            a12 = Avx512F.FusedMultiplyAdd(w, v2, a12);
            a13 = Avx512F.FusedMultiplyAdd(w, v3, a13);
            w = Avx512F.LoadVector512(w2 + c);
            a20 = Avx512F.FusedMultiplyAdd(w, v0, a20);
            a21 = Avx512F.FusedMultiplyAdd(w, v1, a21);
            a22 = Avx512F.FusedMultiplyAdd(w, v2, a22);
            a23 = Avx512F.FusedMultiplyAdd(w, v3, a23);
            w = Avx512F.LoadVector512(w3 + c);
            a30 = Avx512F.FusedMultiplyAdd(w, v0, a30);
            a31 = Avx512F.FusedMultiplyAdd(w, v1, a31);
            a32 = Avx512F.FusedMultiplyAdd(w, v2, a32);
            a33 = Avx512F.FusedMultiplyAdd(w, v3, a33);
        }
        if (!part.Finishes)
        {
            carried[0] = a00;
            carried[1] = a10;
            carried[2] = a20;
            carried[3] = a30;
            carried[4] = a01;
            carried[5] = a11;
            carried[6] = a21;
            carried[7] = a31;
            carried[8] = a02;
            carried[9] = a12;
            carried[10] = a22;
            carried[11] = a32;
            carried[12] = a03;
            carried[13] = a13;
            carried[14] = a23;
            carried[15] = a33;
            return;
        }
        Store(a, r, m, Reduce.Four(a00, a10, a20, a30), x0, whole);
        Store(a, r, m + 1, Reduce.Four(a01, a11, a21, a31), x1, whole);
        Store(a, r, m + 2, Reduce.Four(a02, a12, a22, a32), x2, whole);
        Store(a, r, m + 3, Reduce.Four(a03, a13, a23, a33), x3, whole);
    }

    /// <summary>Weight rows r..r+3 against activation row m: four chains for a row that meets weights already in L2 (a
    /// short group's last rows). A row that streams them goes weight row by weight row (<see cref="Single"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void One(in ProductArgs a, long r, int m)
    {
        int columns = a.Columns;
        int whole = columns - columns % Lanes;
        long stride = a.WStride;
        float* w0 = a.W + r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        float* x = a.X + (long)m * columns;
        var acc0 = Vector512<float>.Zero;
        var acc1 = acc0;
        var acc2 = acc0;
        var acc3 = acc0;
        for (int c = 0; c < whole; c += Lanes)
        {
            var v = Avx512F.LoadVector512(x + c);
            acc0 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w0 + c), v, acc0);
            acc1 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w1 + c), v, acc1);
            acc2 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w2 + c), v, acc2);
            acc3 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w3 + c), v, acc3);
        }
        Store(a, r, m, Reduce.Four(acc0, acc1, acc2, acc3), x, whole);
    }

    /// <summary>
    /// Weight row r against activation row m, reduced by the same tree as four: a short last tile's rows, and every
    /// row of a pass that streams the weights from memory (a batch-1 decode's products, a LoRA shrink of one row).
    /// There one chain that reads the matrix in address order beat four rows side by side by a quarter (the bench
    /// model's one-row pass over every linear and the head, 2 threads: 9.3 and 10.0 ms against 12.6 and 12.6, in
    /// turns): with each of a hidden-size matrix's rows a 4 KiB page of its own, four rows side by side are four
    /// streams that each end at a page, where the hardware prefetcher starts over; one row after another is one
    /// stream. A chain's multiply-adds wait on each other (16 floats per FMA latency, about 50 GB/s per core at this
    /// machine's clock), still faster than the memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Single(in ProductArgs a, long r, int m)
    {
        int columns = a.Columns;
        int whole = columns - columns % Lanes;
        float* w = a.W + r * a.WStride;
        float* x = a.X + (long)m * columns;
        var acc = Vector512<float>.Zero;
        for (int c = 0; c < whole; c += Lanes)
            acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w + c), Avx512F.LoadVector512(x + c), acc);
        float sum = Reduce.Four(acc, acc, acc, acc).ToScalar() + Tail(w, x, whole, columns);
        a.Y[(long)m * a.Rows + r] = a.Bias is null ? sum : sum + a.Bias[r];
    }

    /// <summary>Writes four weight rows' sums for activation row m, each with its columns past the whole blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in ProductArgs a, long r, int m, Vector128<float> sums, float* x, int whole)
    {
        if (whole < a.Columns)
        {
            int columns = a.Columns;
            long stride = a.WStride;
            float* w = a.W + r * stride;
            sums = Vector128.Create(
                sums.GetElement(0) + Tail(w, x, whole, columns),
                sums.GetElement(1) + Tail(w + stride, x, whole, columns),
                sums.GetElement(2) + Tail(w + 2 * stride, x, whole, columns),
                sums.GetElement(3) + Tail(w + 3 * stride, x, whole, columns));
        }
        if (a.Bias is not null) sums += Vector128.Load(a.Bias + r);
        sums.Store(a.Y + (long)m * a.Rows + r);
    }

    private struct Fetch;

    private struct NoFetch;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* w, float* x, int from, int to)
    {
        float sum = 0;
        for (int c = from; c < to; c++) sum = MathF.FusedMultiplyAdd(w[c], x[c], sum);
        return sum;
    }
}

using System;
using System.Collections.Generic;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Tests.Support;
using XenVbd.Xen;
using Xunit.Abstractions;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// XSA-350 (connect/disconnect races) from the frontend's side against blkback: XenBus states written
    /// faster than the watches fire, garbage states, requests in flight across a close, dom0 going away
    /// and coming back, and hostile XenStore values for the ring keys.
    /// </summary>
    public class Xsa350BackendTests
    {
        private static readonly string[] StateValues = { "1", "2", "3", "4", "5", "6", "0", "7", "99", "-1", "abc", "" };

        private readonly ITestOutputHelper _output;

        /// <summary>Regression for a bug the flapping property found: Reconnect on a connected backend kept serving the old ring under InitWait.</summary>
        [Fact]
        public void Reconnect_while_still_connected_drops_the_old_ring_before_advertising_again()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            fe.SetState(XenbusState.Initialising);
            fe.Run();
            rig.Backend.Reconnect();
            fe.Run();
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.False(rig.Backend.IsConnected);
            Assert.Equal(0, fe.Grants.ActiveMappings);
            Assert.Null(fe.Channel.Backend.Handler);
        }

        public Xsa350BackendTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Xsa350_xenbus_state_flapping_from_the_frontend_leaves_blkback_consistent()
        {
            long connects = 0, steps = 0;
            var step = Gen.Select(Gen.Int[0, 9], Gen.Int[0, StateValues.Length - 1], Gen.Int[0, 200]);
            Gen.Select(step.Array[1, 40], Gen.Bool).Sample((plan, is64) =>
            {
                var abi = is64 ? BlkifAbi.X86_64 : BlkifAbi.X86_32;
                using var rig = new LightRig(new BlkBackOptions { ServiceTicks = 150 }, abi: abi);
                var fe = rig.Frontend;
                var sched = rig.Host.Scheduler;
                var data = rig.GrantPages(2, 0x6B);
                var oldRings = new List<uint>();
                ulong id = 1;
                foreach (var (kind, value, ticks) in plan)
                {
                    steps++;
                    switch (kind)
                    {
                        case 0:
                        case 1:
                        case 2:
                            fe.Store.Write(fe.Path + "/state", StateValues[value]);
                            break;
                        case 3:
                            // The toolstack-style sequence a quick reconnect produces, all before any watch fires.
                            fe.SetState(XenbusState.Closing);
                            fe.SetState(XenbusState.Closed);
                            fe.SetState(XenbusState.Initialised);
                            break;
                        case 4:
                            fe.PublishRing(abi.ToProtocolString());
                            fe.SetState(XenbusState.Initialised);
                            break;
                        case 5:
                            // A fresh ring, as a frontend does after it closed. When the old grant can be
                            // revoked (nothing maps it), the old page is watched for stray late writes.
                            if (fe.Grants.EndAccess(fe.RingRefs[0]))
                            {
                                fe.Page(fe.RingFirstFrame).Fill(BackendRig.Canary);
                                oldRings.Add(fe.RingFirstFrame);
                            }
                            fe.SetUpRing(0);
                            break;
                        case 6:
                        case 7:
                            if (rig.Backend.IsConnected && fe.ReqProdPvt - fe.RspCons < (uint)fe.RingSize)
                            {
                                fe.Queue(BlkifOp.Write, id++, (ulong)(8 * value), new BlkifSegment(data[value & 1].Gref, 0, 7));
                                fe.Push();
                            }
                            break;
                        case 8:
                            rig.Backend.Disconnect();
                            break;
                        default:
                            rig.Backend.Reconnect();
                            break;
                    }
                    sched.RunUntil(sched.Now + ticks);
                    CheckConsistent(rig);
                }
                fe.Run();
                CheckConsistent(rig);
                connects += rig.Backend.Statistics.Connects;
                // No completion for a torn-down ring landed on it later.
                foreach (uint frame in oldRings)
                    Assert.True(fe.Page(frame).IndexOfAnyExcept(BackendRig.Canary) < 0, "a revoked ring page was written");

                // Whatever happened, an orderly close and a clean connect on a new ring works and serves.
                rig.Backend.Reconnect();
                fe.SetState(XenbusState.Closed);
                fe.Run();
                Assert.Equal(0, fe.Grants.ActiveMappings);
                uint previous = fe.RingFirstFrame;
                fe.Page(previous).Fill(BackendRig.Canary);
                fe.SetUpRing(0);
                fe.SetState(XenbusState.Initialising);
                fe.Run();
                fe.Connect(abi.ToProtocolString());
                Assert.Equal(XenbusState.Connected, rig.Backend.State);
                var rsp = fe.Submit(BlkifOp.Write, 777, 64, new BlkifSegment(data[0].Gref, 0, 7));
                Assert.Equal(BlkifStatus.Okay, rsp.Status);
                Assert.Equal(777ul, rsp.Id);
                Assert.True(fe.Page(previous).IndexOfAnyExcept(BackendRig.Canary) < 0, "a response was written to a ring after it was torn down");
            }, iter: Soak.Cases(1500), threads: Soak.Threads);
            _output.WriteLine("steps " + steps + ", connects " + connects);
        }

        private static void CheckConsistent(LightRig rig)
        {
            var fe = rig.Frontend;
            var be = rig.Backend;
            Assert.Contains(be.State, new[] { XenbusState.InitWait, XenbusState.Connected, XenbusState.Closing, XenbusState.Closed });
            Assert.Equal(((int)be.State).ToString(), fe.Store.Read(fe.BackendPath + "/state"));
            if (be.IsConnected)
            {
                // Like Linux, Closing keeps the ring until the frontend says Closed.
                Assert.Contains(be.State, new[] { XenbusState.Connected, XenbusState.Closing });
                // The ring stays mapped; a data grant is mapped only while its request is in flight (Linux maps at
                // submit and unmaps when the bio ends, __end_block_io_op): each write here has one segment.
                Assert.InRange(fe.Grants.ActiveMappings, 1, 1 + be.PendingResponses);
                Assert.NotNull(fe.Channel.Backend.Handler);
            }
            else if (be.DrainingResponses > 0)
            {
                // Linux's xen_blkif_disconnect: a ring closed with requests in flight stays mapped and bound
                // until their responses are written; so do the data grants of those requests (one segment each).
                Assert.InRange(fe.Grants.ActiveMappings, 1, 1 + be.DrainingResponses);
                Assert.NotNull(fe.Channel.Backend.Handler);
                Assert.Equal(0, be.PendingResponses);
            }
            else
            {
                Assert.Equal(0, fe.Grants.ActiveMappings);
                Assert.Null(fe.Channel.Backend.Handler);
                Assert.Equal(0, be.PendingResponses);
            }
        }

        /// <summary>Hostile values in the keys blkback reads at connect: every one ends Connected or Closing with an error key, and nothing stays mapped.</summary>
        [Fact]
        public void Xsa350_hostile_xenstore_values_at_connect_fail_cleanly()
        {
            string[] keys = { "ring-ref", "ring-page-order", "ring-ref0", "ring-ref1", "ring-ref2", "ring-ref3", "event-channel", "protocol" };
            var value = Gen.OneOf(
                Gen.Int[0, 5000].Select(i => i.ToString()),
                Gen.Const("-1"), Gen.Const("4294967296"), Gen.Const("0x10"), Gen.Const(" 8"), Gen.Const(""), Gen.Const("x86_32-abi"),
                Gen.Const("x86_64-abi"), Gen.Const("x86_64-abi\0"), Gen.Const("X86_64-ABI"), Gen.String[0, 12]);
            long connected = 0, refused = 0;
            Gen.Select(Gen.Select(Gen.Int[0, keys.Length - 1], value, Gen.Bool).Array[0, 8], Gen.Int[0, 2]).Sample((writes, order) =>
            {
                using var rig = new LightRig(ringPageOrder: order);
                var fe = rig.Frontend;
                fe.PublishRing("x86_64-abi");
                foreach (var (k, v, remove) in writes)
                {
                    if (remove) { if (fe.Store.Exists(fe.Path + "/" + keys[k])) fe.Store.Remove(fe.Path + "/" + keys[k]); }
                    else fe.Store.Write(fe.Path + "/" + keys[k], v);
                }
                fe.SetState(XenbusState.Initialised);
                fe.Run();
                var be = rig.Backend;
                if (be.State == XenbusState.Connected)
                {
                    connected++;
                    Assert.Equal(be.RingPageCount, fe.Grants.ActiveMappings);
                }
                else
                {
                    refused++;
                    Assert.Equal(XenbusState.Closing, be.State);
                    Assert.False(string.IsNullOrEmpty(fe.Store.Read(fe.BackendPath + "/error")));
                    Assert.Equal(0, fe.Grants.ActiveMappings);
                }
                fe.SetState(XenbusState.Closed);
                fe.Run();
                Assert.Equal(0, fe.Grants.ActiveMappings);
            }, iter: Soak.Cases(2000), threads: Soak.Threads);
            _output.WriteLine("connected " + connected + ", refused " + refused);
            Assert.True(connected > 0 && refused > 0);
        }
    }
}

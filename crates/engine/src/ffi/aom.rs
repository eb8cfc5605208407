//! libaom's AV1 encoder, driven by the engine itself rather than through FFmpeg's wrapper,
//! which reads a quantizer only when it opens. libaom takes a new configuration between
//! any two frames (`aom_codec_enc_config_set`), so each frame gets its own quantizer.
//! Frames come in and packets go out as FFmpeg's, so the rest of the encoder is the same
//! for both; the bindings are generated from the installed headers (`build.rs`).

use std::collections::VecDeque;
use std::ffi::{c_int, CStr};

use ffmpeg_next::format::Pixel;
use ffmpeg_next::util::error::EAGAIN;
use ffmpeg_next::{color as av_color, frame, packet, picture, Error as AvError, Packet};

use crate::session::CodecIo;

#[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code, clippy::all)]
mod sys {
    include!(concat!(env!("OUT_DIR"), "/aom.rs"));
}

/// What an AV1 session is opened with.
pub(crate) struct AomSettings {
    pub width: u32,
    pub height: u32,
    /// The frames' pixel format: 8- or 10-bit 4:2:0 (main profile) or 4:4:4 (high).
    pub pixel: Pixel,
    /// `latencyMode: 'realtime'`: libaom's fastest speed (both modes hold no frame back).
    pub realtime: bool,
    pub threads: usize,
    /// Microseconds a frame, for rate control's sense of time.
    pub frame_duration: u64,
    pub rate: AomRate,
    pub layers: Option<AomLayers>,
    /// The colour the sequence header declares.
    pub color: (av_color::Primaries, av_color::TransferCharacteristic, av_color::Space, av_color::Range),
}

/// What libaom's rate control aims at.
pub(crate) enum AomRate {
    /// Every frame at this quantizer (0-63) until the next one is set.
    Quantizer(u32),
    /// Constant quality at this level (0-63).
    Quality(u32),
    /// Bits a second, constant (CBR) or variable.
    Bitrate { bits: u64, constant: bool },
}

/// Temporal layers: which layer each frame of one period of the pattern belongs to, and for
/// each layer with those below it, its frame rate divider and bitrate (bits a second).
pub(crate) struct AomLayers {
    pub pattern: &'static [u32],
    pub decimators: &'static [u32],
    pub bitrates: Vec<u64>,
}

/// An open libaom encoder.
pub(crate) struct AomEncoder {
    /// Boxed: libaom's context must not move while it is open.
    ctx: Box<sys::aom_codec_ctx_t>,
    cfg: sys::aom_codec_enc_cfg_t,
    format: sys::aom_img_fmt_t,
    frame_duration: u64,
    /// With temporal layers: the pattern, libaom's layer parameters (kept to change their
    /// quantizers), and the number of frames sent since the last key frame, whose place in
    /// the pattern sets each frame's layer and references.
    layers: Option<(&'static [u32], sys::aom_svc_params_t)>,
    frames: u64,
    /// Packets libaom has put out that were not received yet.
    ready: VecDeque<Packet>,
    /// The end of the stream was sent and libaom has been drained.
    ended: bool,
}

// SAFETY: the context is used from one thread at a time (`&mut self`), and libaom keeps
// no thread-local state of its own between calls.
unsafe impl Send for AomEncoder {}

impl Drop for AomEncoder {
    fn drop(&mut self) {
        // SAFETY: the context was initialised by `open` and is destroyed once.
        unsafe { sys::aom_codec_destroy(&mut *self.ctx) };
    }
}

impl AomEncoder {
    pub fn open(settings: &AomSettings) -> Result<Self, String> {
        let (format, bit_depth, profile) = match settings.pixel {
            Pixel::YUV420P => (sys::AOM_IMG_FMT_I420, 8, 0),
            Pixel::YUV420P10LE => (sys::AOM_IMG_FMT_I42016, 10, 0),
            Pixel::YUV444P => (sys::AOM_IMG_FMT_I444, 8, 1),
            Pixel::YUV444P10LE => (sys::AOM_IMG_FMT_I44416, 10, 1),
            other => return Err(format!("libaom here takes no {other:?}")),
        };
        // libaom's real-time mode in both latency modes: its good-quality mode without
        // look-ahead is 8x slower at 720p (5.4 against 44 fps) for 30% fewer bytes at the
        // same quantizer, and temporal layers are a real-time feature.
        let usage = sys::AOM_USAGE_REALTIME;
        let mut cfg = sys::aom_codec_enc_cfg_t::default();
        // SAFETY: the interface is libaom's static AV1 encoder; `cfg` is ours to fill.
        let (iface, defaults) = unsafe {
            let iface = sys::aom_codec_av1_cx();
            (iface, sys::aom_codec_enc_config_default(iface, &mut cfg, usage))
        };
        check(defaults, None)?;
        cfg.g_w = settings.width;
        cfg.g_h = settings.height;
        cfg.g_profile = profile;
        cfg.g_bit_depth = bit_depth;
        cfg.g_input_bit_depth = bit_depth;
        cfg.g_timebase = sys::aom_rational { num: 1, den: 1_000_000 };
        cfg.g_threads = u32::try_from(settings.threads).unwrap_or(1);
        // No look-ahead: a frame's configuration applies to the frame being encoded, which
        // must be the frame just given.
        cfg.g_lag_in_frames = 0;
        let mut level = None;
        match settings.rate {
            AomRate::Quantizer(q) => {
                cfg.rc_end_usage = sys::AOM_Q;
                (cfg.rc_min_quantizer, cfg.rc_max_quantizer) = (q.min(63), q.min(63));
                level = Some(q.min(63));
            }
            AomRate::Quality(q) => {
                cfg.rc_end_usage = sys::AOM_Q;
                level = Some(q.min(63));
            }
            AomRate::Bitrate { bits, constant } => {
                cfg.rc_end_usage = if constant { sys::AOM_CBR } else { sys::AOM_VBR };
                cfg.rc_target_bitrate = u32::try_from(bits / 1000).unwrap_or(u32::MAX).max(1);
            }
        }
        let flags = if bit_depth > 8 { sys::AOM_CODEC_USE_HIGHBITDEPTH as sys::aom_codec_flags_t } else { 0 };
        let mut ctx = Box::new(sys::aom_codec_ctx_t::default());
        // SAFETY: `ctx` is a zeroed context that libaom initialises; `cfg` outlives the call.
        let opened = unsafe {
            sys::aom_codec_enc_init_ver(&mut *ctx, iface, &cfg, flags, sys::AOM_ENCODER_ABI_VERSION as c_int)
        };
        check(opened, Some(&mut ctx))?;
        let mut encoder = Self {
            ctx,
            cfg,
            format,
            frame_duration: settings.frame_duration,
            layers: None,
            frames: 0,
            ready: VecDeque::new(),
            ended: false,
        };
        // FFmpeg's colour enums are ISO/IEC 23091-4's code points, as AV1's are.
        let (primaries, transfer, matrix, range) = settings.color;
        let primaries = ffmpeg_next::ffi::AVColorPrimaries::from(primaries) as c_int;
        let transfer = ffmpeg_next::ffi::AVColorTransferCharacteristic::from(transfer) as c_int;
        let matrix = ffmpeg_next::ffi::AVColorSpace::from(matrix) as c_int;
        let full = range == av_color::Range::JPEG;
        let controls = [
            // Quality mode one step slower: 4% fewer bytes for 10% more time (720p).
            (sys::AOME_SET_CPUUSED, if settings.realtime { 8 } else { 7 }),
            (sys::AV1E_SET_ROW_MT, 1),
            (sys::AV1E_SET_COLOR_PRIMARIES, primaries),
            (sys::AV1E_SET_TRANSFER_CHARACTERISTICS, transfer),
            (sys::AV1E_SET_MATRIX_COEFFICIENTS, matrix),
            (sys::AV1E_SET_COLOR_RANGE, c_int::from(full)),
        ];
        for (id, value) in controls {
            encoder.control(id, value)?;
        }
        if let Some(level) = level {
            encoder.control(sys::AOME_SET_CQ_LEVEL, level as c_int)?;
        }
        if let Some(layers) = &settings.layers {
            let mut svc = sys::aom_svc_params_t { number_spatial_layers: 1, ..Default::default() };
            svc.number_temporal_layers = layers.decimators.len() as c_int;
            for (i, (&decimator, &bits)) in layers.decimators.iter().zip(&layers.bitrates).enumerate() {
                svc.framerate_factor[i] = decimator as c_int;
                svc.layer_target_bitrate[i] = c_int::try_from(bits / 1000).unwrap_or(c_int::MAX).max(1);
            }
            encoder.layers = Some((layers.pattern, svc));
            encoder.set_layer_quantizers()?;
        }
        Ok(encoder)
    }

    /// Sends libaom the layers' parameters, with the configuration's quantizer range as
    /// every layer's (in real time with layers, libaom takes the range from the layers).
    fn set_layer_quantizers(&mut self) -> Result<(), String> {
        let (min, max) = (self.cfg.rc_min_quantizer as c_int, self.cfg.rc_max_quantizer as c_int);
        let Some((_, svc)) = self.layers.as_mut() else { return Ok(()) };
        svc.scaling_factor_num[0] = 1;
        svc.scaling_factor_den[0] = 1;
        for layer in 0..svc.number_temporal_layers as usize {
            (svc.min_quantizers[layer], svc.max_quantizers[layer]) = (min, max);
        }
        let svc: *mut sys::aom_svc_params_t = svc;
        // SAFETY: this control takes a pointer to parameters that libaom copies.
        check(
            unsafe { sys::aom_codec_control(&mut *self.ctx, sys::AV1E_SET_SVC_PARAMS as c_int, svc) },
            Some(&mut self.ctx),
        )
    }

    /// Tells libaom the temporal layer of the next frame and the reference buffers it may
    /// read and write, so that no frame reads one written by a higher layer: the base
    /// layer keeps buffer 0; in L1T3 the middle layer writes buffer 1, which only the top
    /// layer's frame after it reads.
    fn set_layer(&mut self) -> Result<(), String> {
        let Some((pattern, _)) = self.layers else { return Ok(()) };
        let place = (self.frames % pattern.len() as u64) as usize;
        let layer = pattern[place];
        let (read, write) = match (pattern.len(), place) {
            (4, 2) => (0, Some(1)),
            (4, 3) => (1, None),
            (_, 0) => (0, Some(0)),
            _ => (0, None),
        };
        let mut refs = sys::aom_svc_ref_frame_config_t::default();
        refs.reference[0] = 1;
        refs.ref_idx = [read as c_int; 7];
        if let Some(slot) = write {
            refs.refresh[slot] = 1;
        }
        let mut id = sys::aom_svc_layer_id_t { spatial_layer_id: 0, temporal_layer_id: layer as c_int };
        let (id, refs): (*mut sys::aom_svc_layer_id_t, *mut sys::aom_svc_ref_frame_config_t) = (&mut id, &mut refs);
        // SAFETY: both controls take a pointer to a struct that libaom copies.
        unsafe {
            check(sys::aom_codec_control(&mut *self.ctx, sys::AV1E_SET_SVC_LAYER_ID as c_int, id), None)?;
            check(sys::aom_codec_control(&mut *self.ctx, sys::AV1E_SET_SVC_REF_FRAME_CONFIG as c_int, refs), None)
        }
    }

    /// The quantizer (0-63) of the frames sent from now on.
    pub fn set_quantizer(&mut self, quantizer: u32) -> Result<(), String> {
        let q = quantizer.min(63);
        if (self.cfg.rc_min_quantizer, self.cfg.rc_max_quantizer) == (q, q) {
            return Ok(());
        }
        (self.cfg.rc_min_quantizer, self.cfg.rc_max_quantizer) = (q, q);
        // SAFETY: an open context and a configuration it was opened with, changed in two
        // fields libaom allows to change between frames.
        check(unsafe { sys::aom_codec_enc_config_set(&mut *self.ctx, &self.cfg) }, Some(&mut self.ctx))?;
        self.control(sys::AOME_SET_CQ_LEVEL, q as c_int)?;
        self.set_layer_quantizers()
    }

    fn control(&mut self, id: sys::aome_enc_control_id, value: c_int) -> Result<(), String> {
        // SAFETY: every control used here takes one int (or unsigned int) argument.
        check(unsafe { sys::aom_codec_control(&mut *self.ctx, id as c_int, value) }, Some(&mut self.ctx))
    }

    /// Encodes `frame` (in the opened size and format; `None`: the end of the stream)
    /// and collects the packets libaom has ready.
    fn encode(&mut self, frame: Option<&frame::Video>) -> Result<usize, String> {
        let mut image = sys::aom_image_t::default();
        let (image_ptr, pts, flags) = match frame {
            Some(frame) => {
                let key = frame.kind() == picture::Type::I;
                // A key frame starts the layering pattern again, in the base layer.
                if key {
                    self.frames = 0;
                }
                self.set_layer()?;
                self.frames += 1;
                // SAFETY: `aom_img_wrap` only fills `image`'s fields from the format and
                // size; the planes are then pointed at the frame's, which outlive the
                // encode call (libaom copies what it keeps).
                unsafe {
                    let data = frame.data(0).as_ptr().cast_mut();
                    if sys::aom_img_wrap(&mut image, self.format, self.cfg.g_w, self.cfg.g_h, 1, data).is_null() {
                        return Err("libaom cannot describe the frame".into());
                    }
                }
                for plane in 0..3 {
                    image.planes[plane] = frame.data(plane).as_ptr().cast_mut();
                    image.stride[plane] = frame.stride(plane) as c_int;
                }
                let flags = if key { sys::AOM_EFLAG_FORCE_KF as sys::aom_enc_frame_flags_t } else { 0 };
                (&image as *const sys::aom_image_t, frame.pts().unwrap_or(0), flags)
            }
            None => (std::ptr::null(), 0, 0),
        };
        // SAFETY: an open context; `image` (or null, the end of the stream) lives through the call.
        let encoded = unsafe { sys::aom_codec_encode(&mut *self.ctx, image_ptr, pts, self.frame_duration as _, flags) };
        check(encoded, Some(&mut self.ctx))?;
        let before = self.ready.len();
        let mut iter: sys::aom_codec_iter_t = std::ptr::null();
        loop {
            // SAFETY: the iterator walks the packets of the last encode call, each valid
            // until the next call into the context; we copy the bytes out at once.
            let packet = unsafe { sys::aom_codec_get_cx_data(&mut *self.ctx, &mut iter).as_ref() };
            let Some(packet) = packet else { break };
            if packet.kind != sys::AOM_CODEC_CX_FRAME_PKT {
                continue;
            }
            // SAFETY: for a frame packet the union holds `frame`, whose buffer has `sz` bytes.
            let out = unsafe {
                let f = packet.data.frame;
                let mut out = Packet::copy(std::slice::from_raw_parts(f.buf.cast::<u8>(), f.sz));
                out.set_pts(Some(f.pts));
                out.set_dts(Some(f.pts));
                out.set_duration(f.duration as i64);
                if f.flags & sys::AOM_FRAME_IS_KEY != 0 {
                    out.set_flags(packet::Flags::KEY);
                }
                out
            };
            self.ready.push_back(out);
        }
        Ok(self.ready.len() - before)
    }
}

impl CodecIo for AomEncoder {
    const VERB: &'static str = "encode";
    const ROLE: &'static str = "encoder";
    type In = frame::Video;
    type Out = Packet;

    fn send(&mut self, input: Option<&frame::Video>) -> Result<(), AvError> {
        let result = match input {
            Some(frame) => self.encode(Some(frame)).map(drop),
            // The stream is drained once an end-of-stream call puts out nothing more.
            None => loop {
                match self.encode(None) {
                    Ok(0) => break Ok(()),
                    Ok(_) => continue,
                    Err(e) => break Err(e),
                }
            },
        };
        self.ended = input.is_none();
        result.map_err(|_| AvError::External)
    }

    fn receive(&mut self) -> Result<Packet, AvError> {
        match self.ready.pop_front() {
            Some(packet) => Ok(packet),
            None if self.ended => Err(AvError::Eof),
            None => Err(AvError::Other { errno: EAGAIN }),
        }
    }
}

/// libaom's answer as a result, with its detail when the context has one.
fn check(status: sys::aom_codec_err_t, ctx: Option<&mut sys::aom_codec_ctx_t>) -> Result<(), String> {
    if status == sys::AOM_CODEC_OK {
        return Ok(());
    }
    let text = |p: *const std::ffi::c_char| {
        // SAFETY: libaom's error strings are static or owned by the context; copied at once.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    };
    let detail = ctx.and_then(|ctx| {
        // SAFETY: both read the last error of a context that libaom initialised.
        let (detail, error) = unsafe { (sys::aom_codec_error_detail(ctx), sys::aom_codec_error(ctx)) };
        text(detail).or_else(|| text(error))
    });
    Err(format!("libaom: {}", detail.unwrap_or_else(|| format!("error {status}"))))
}

//! The codec class template: `codec_class!` declares a WebCodecs codec class over the
//! shared [`CodecQueue`](crate::codec::queue::CodecQueue) from what only that class knows
//! (its engine session, gate side, counter, config dictionary and support answer, and an
//! inherent `output` that turns one result into the `output` callback's arguments). It
//! generates the struct, the constructor, `configure`, `isConfigSupported`, `decode` for
//! decoders, `state`, the queue size, `ondequeue`, the `EventTarget` methods, `flush()`,
//! `reset()` and `close()`. Encoders add their own `encode`. A class with state of its
//! own beyond the queue names its type in `state(...)`: a `ConfigureHook`, told of each
//! configure.

/// State a codec class keeps beside its queue, reset by `configure()` (the spec's
/// per-configure slots, such as a VideoEncoder's `[[active orientation]]`).
pub trait ConfigureHook: Default {
    fn configured(&self);
}

/// See the module comment. The literals are the typings' names for the init, config and
/// support dictionaries and a decoder's chunk.
macro_rules! codec_class {
    (
        $(#[$doc:meta])*
        $class:ident($session:ty, $gate:ident, $counter:ident, $init:literal, $queue_size:ident),
        configure($config:ident = $config_ts:literal, $check:expr),
        support($support:ident = $support_ts:literal) $(, state($state:ty))? $(, decode($chunk:ident = $chunk_ts:literal))? $(,)?
    ) => {
        $(#[$doc])*
        #[napi]
        pub struct $class {
            queue: crate::codec::queue::CodecQueue<Self>,
            $(state: $state,)?
        }

        impl crate::codec::protocol::Codec for $class {
            type Session = $session;

            const NAME: &'static str = stringify!($class);
            const GATE: crate::codec::gate::Gate = crate::codec::gate::Gate::$gate;

            fn counter() -> &'static std::sync::atomic::AtomicI64 {
                &crate::memory::counters::$counter
            }

            fn to_js(
                env: &napi::Env,
                output: crate::codec::protocol::Output<Self>,
            ) -> napi::Result<Vec<napi::sys::napi_value>> {
                Self::output(env, output)
            }
        }

        #[napi]
        impl $class {
            #[napi(constructor)]
            pub fn new(
                env: napi::Env,
                this: napi::bindgen_prelude::This,
                #[napi(ts_arg_type = $init)] init: crate::js::raw::JsHandle,
            ) -> napi::Result<Self> {
                crate::js::interface::constructing::<Self>(&env, &this)?;
                let queue = crate::codec::queue::CodecQueue::new(&env, this.object.raw(), init.0);
                crate::js::error::OrThrow::or_throw(queue, &env).map(|queue| Self { queue, $(state: <$state>::default(),)? })
            }

            /// Configures (or reconfigures) the codec. An invalid config throws TypeError;
            /// an unsupported one closes the codec with NotSupportedError on the error
            /// callback.
            #[napi]
            pub fn configure(
                &self,
                env: napi::Env,
                #[napi(ts_arg_type = $config_ts)] config: crate::js::raw::JsHandle,
            ) -> napi::Result<()> {
                let config: $config = crate::dict::read(&env, config.0)?;
                let check: fn(&napi::Env, &$config) -> _ = $check;
                crate::js::error::OrThrow::or_throw(self.queue.configure(&env, check(&env, &config)), &env)?;
                $(<$state as crate::codec::class::ConfigureHook>::configured(&self.state);)?
                Ok(())
            }

            /// Whether this build of FFmpeg can handle `config`.
            #[napi(ts_return_type = $support_ts)]
            pub fn is_config_supported(
                env: napi::Env,
                #[napi(ts_arg_type = $config_ts)] config: crate::js::raw::JsHandle,
            ) -> napi::Result<napi::sys::napi_value> {
                crate::codec::support::probe::<Self, $config, _>(&env, config, $check, $support::answer)
            }

            $(
            /// Queues `chunk` for decoding. The first chunk after configure or flush must
            /// be a key chunk.
            #[napi]
            pub fn decode(
                &self,
                env: napi::Env,
                #[napi(ts_arg_type = $chunk_ts)] chunk: crate::js::interface::Instance<$chunk>,
            ) -> napi::Result<()> {
                let key = chunk.chunk.kind == crate::encoded_chunk::ChunkType::Key;
                let queued = self.queue.check_decodable(key).and_then(|()| self.queue.enqueue(&env, chunk.chunk.input(), None));
                crate::js::error::OrThrow::or_throw(queued, &env)
            }
            )?

            #[napi(getter, ts_return_type = "CodecState")]
            pub fn state(&self) -> &'static str {
                self.queue.state().as_str()
            }

            /// Inputs queued and not yet taken by the codec.
            #[napi(getter)]
            pub fn $queue_size(&self) -> u32 {
                self.queue.queue_size()
            }

            #[napi(getter, ts_return_type = "((event: Event) => void) | null")]
            pub fn ondequeue(&self, env: napi::Env) -> napi::Result<napi::sys::napi_value> {
                self.queue.ondequeue(&env)
            }

            #[napi(setter)]
            pub fn set_ondequeue(
                &self,
                env: napi::Env,
                this: napi::bindgen_prelude::This,
                #[napi(ts_arg_type = "((event: Event) => void) | null")] handler: crate::js::raw::JsHandle,
            ) -> napi::Result<()> {
                self.queue.set_ondequeue(&env, this.object.raw(), handler.0)
            }

            /// The codec is an `EventTarget`; it fires "dequeue" events.
            #[napi]
            pub fn add_event_listener(
                &self,
                env: napi::Env,
                this: napi::bindgen_prelude::This,
                #[napi(ts_arg_type = "string")] kind: crate::js::raw::JsHandle,
                #[napi(ts_arg_type = "EventListenerOrEventListenerObject | null")] listener: crate::js::raw::JsHandle,
                #[napi(ts_arg_type = "boolean | AddEventListenerOptions")] options: Option<crate::js::raw::JsHandle>,
            ) -> napi::Result<()> {
                let args = [kind.0, listener.0];
                crate::codec::events::listen(&env, this.object.raw(), c"addEventListener", args, options.map(|o| o.0))
            }

            #[napi]
            pub fn remove_event_listener(
                &self,
                env: napi::Env,
                this: napi::bindgen_prelude::This,
                #[napi(ts_arg_type = "string")] kind: crate::js::raw::JsHandle,
                #[napi(ts_arg_type = "EventListenerOrEventListenerObject | null")] listener: crate::js::raw::JsHandle,
                #[napi(ts_arg_type = "boolean | EventListenerOptions")] options: Option<crate::js::raw::JsHandle>,
            ) -> napi::Result<()> {
                let args = [kind.0, listener.0];
                crate::codec::events::listen(&env, this.object.raw(), c"removeEventListener", args, options.map(|o| o.0))
            }

            #[napi(ts_args_type = "event: Event", ts_return_type = "boolean")]
            pub fn dispatch_event(
                &self,
                env: napi::Env,
                this: napi::bindgen_prelude::This,
                event: crate::js::raw::JsHandle,
            ) -> napi::Result<napi::sys::napi_value> {
                crate::codec::events::dispatch_event(&env, this.object.raw(), event.0)
            }

            /// Resolves once every input queued before it was processed and its outputs
            /// delivered.
            #[napi(ts_return_type = "Promise<void>")]
            pub fn flush(&self, env: napi::Env) -> napi::Result<napi::sys::napi_value> {
                self.queue.flush(&env)
            }

            /// Drops queued and in-flight work; a pending flush rejects with AbortError.
            #[napi]
            pub fn reset(&self, env: napi::Env) -> napi::Result<()> {
                crate::js::error::OrThrow::or_throw(self.queue.reset(&env), &env)
            }

            /// Resets, then closes for good.
            #[napi]
            pub fn close(&self, env: napi::Env) -> napi::Result<()> {
                crate::js::error::OrThrow::or_throw(self.queue.close(&env), &env)
            }
        }
    };
}

pub(crate) use codec_class;

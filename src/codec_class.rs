//! The members every codec class shares, declared once: `state`, the queue size,
//! `ondequeue`, `addEventListener`/`removeEventListener`/`dispatchEvent`, `flush()`, `reset()` and
//! `close()`, all forwarding to the class's `queue: CodecQueue<_>`. Each class adds its
//! constructor, `configure`, `encode`/`decode` and `isConfigSupported`.

macro_rules! codec_class_common {
    ($class:ident, $queue_size:ident) => {
        #[napi]
        impl $class {
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
            pub fn ondequeue(&self, env: Env) -> napi::Result<napi::sys::napi_value> {
                self.queue.ondequeue(&env)
            }

            #[napi(setter)]
            pub fn set_ondequeue(
                &self,
                env: Env,
                #[napi(ts_arg_type = "((event: Event) => void) | null")] handler: crate::js::JsHandle,
            ) -> napi::Result<()> {
                self.queue.set_ondequeue(&env, handler.0)
            }

            /// The codec is an `EventTarget`; it fires "dequeue" events.
            #[napi]
            pub fn add_event_listener(
                &self,
                env: Env,
                #[napi(ts_arg_type = "string")] kind: crate::js::JsHandle,
                #[napi(ts_arg_type = "EventListenerOrEventListenerObject | null")] listener: crate::js::JsHandle,
                #[napi(ts_arg_type = "boolean | AddEventListenerOptions")] options: Option<crate::js::JsHandle>,
            ) -> napi::Result<()> {
                self.queue.listen(&env, c"addEventListener", [kind.0, listener.0], options.map(|o| o.0))
            }

            #[napi]
            pub fn remove_event_listener(
                &self,
                env: Env,
                #[napi(ts_arg_type = "string")] kind: crate::js::JsHandle,
                #[napi(ts_arg_type = "EventListenerOrEventListenerObject | null")] listener: crate::js::JsHandle,
                #[napi(ts_arg_type = "boolean | EventListenerOptions")] options: Option<crate::js::JsHandle>,
            ) -> napi::Result<()> {
                self.queue.listen(&env, c"removeEventListener", [kind.0, listener.0], options.map(|o| o.0))
            }

            #[napi(ts_args_type = "event: Event", ts_return_type = "boolean")]
            pub fn dispatch_event(&self, env: Env, event: crate::js::JsHandle) -> napi::Result<napi::sys::napi_value> {
                self.queue.dispatch_event(&env, event.0)
            }

            /// Resolves once every input queued before it was processed and its outputs
            /// delivered.
            #[napi(ts_return_type = "Promise<void>")]
            pub fn flush(&self, env: Env) -> napi::Result<napi::sys::napi_value> {
                self.queue.flush(&env)
            }

            /// Drops queued and in-flight work; a pending flush rejects with AbortError.
            #[napi]
            pub fn reset(&self, env: Env) -> napi::Result<()> {
                crate::error::OrThrow::or_throw(self.queue.reset(&env), &env)
            }

            /// Resets, then closes for good.
            #[napi]
            pub fn close(&self, env: Env) -> napi::Result<()> {
                crate::error::OrThrow::or_throw(self.queue.close(&env), &env)
            }
        }
    };
}

pub(crate) use codec_class_common;

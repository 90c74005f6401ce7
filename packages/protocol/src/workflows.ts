import { z } from "zod";
import { timestampSchema, userIdSchema } from "./common";
import { workflowRunIdSchema, workflowTemplateIdSchema } from "./ids";

const stepIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, { message: "must be an identifier (letters, digits, _)" });

/** One step of a workflow template (SPEC §5). `action` is an action id, `map` or `transform`. */
export const workflowStepSchema = z.strictObject({
  id: stepIdSchema,
  action: z.string().min(1).max(128),
  with: z.record(z.string(), z.unknown()).default({}),
  needs: z.array(stepIdSchema).max(50).optional(),
  when: z.string().max(2000).optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10),
      backoffMs: z.number().int().min(0).max(60_000),
    })
    .optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});
export type WorkflowStep = z.infer<typeof workflowStepSchema>;

/** A declarative multi-step plan over actions. */
export const workflowTemplateSchema = z
  .strictObject({
    id: workflowTemplateIdSchema,
    name: z.string().min(1).max(200),
    version: z.string().min(1).max(64),
    description: z.string().max(4000).default(""),
    inputs: z.record(z.string(), z.unknown()).default({ type: "object", properties: {} }),
    steps: z.array(workflowStepSchema).min(1).max(100),
    output: z.unknown(),
  })
  .superRefine((template, ctx) => {
    const ids = new Set<string>();
    template.steps.forEach((step, index) => {
      if (ids.has(step.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "id"],
          message: `duplicate step id "${step.id}"`,
        });
      }
      ids.add(step.id);
    });
    template.steps.forEach((step, index) => {
      step.needs?.forEach((need, needIndex) => {
        if (!ids.has(need)) {
          ctx.addIssue({
            code: "custom",
            path: ["steps", index, "needs", needIndex],
            message: `unknown step "${need}"`,
          });
        }
      });
    });
  });
export type WorkflowTemplate = z.infer<typeof workflowTemplateSchema>;

export const workflowRunStatusSchema = z.enum([
  "queued",
  "running",
  "waiting_for_auth",
  "succeeded",
  "failed",
  "cancelled",
]);
export type WorkflowRunStatus = z.infer<typeof workflowRunStatusSchema>;

export const workflowStepStatusSchema = z.enum([
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
]);

export const workflowRunSchema = z.object({
  id: workflowRunIdSchema,
  templateId: z.string(),
  status: workflowRunStatusSchema,
  steps: z.array(
    z.object({
      id: z.string(),
      status: workflowStepStatusSchema,
      attempts: z.number().int().min(0),
      output: z.unknown().optional(),
      error: z.string().optional(),
    }),
  ),
  output: z.unknown().optional(),
  error: z.string().optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;

/** `POST /v1/workflow-runs` body: a stored template id or an inline template. */
export const createWorkflowRunBodySchema = z
  .strictObject({
    templateId: z.string().min(1).max(128).optional(),
    template: workflowTemplateSchema.optional(),
    input: z.record(z.string(), z.unknown()).default({}),
    userId: userIdSchema.optional(),
  })
  .refine((body) => (body.templateId === undefined) !== (body.template === undefined), {
    message: "give exactly one of templateId or template",
    path: ["templateId"],
  });
export type CreateWorkflowRunBody = z.input<typeof createWorkflowRunBodySchema>;
